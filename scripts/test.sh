#!/usr/bin/env bash
# Run every test stage (or the ones named as arguments), print each stage's counts, and exit non-zero if
# any stage failed. Logs: build/logs/<stage>.log.
set -uo pipefail
# shellcheck disable=SC1091  # lib.sh is found at run time beside this script
source "$(dirname "$0")/lib.sh"

LOGS=$BUILD/logs
mkdir -p "$LOGS"
ALL_STAGES=(sanity sanity-old units lint docs docsite changelog integration molecule build)
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")

# pytest's closing line, e.g. "12 passed, 1 skipped in 3.2s" (framed by "=" without -q) -> "12 passed, 0 failed, 1 skipped".
pytest_counts() {
    local line passed failed errors skipped
    line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s|no tests ran' "$1" | tail -1)
    passed=$(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1)
    failed=$(grep -oE '[0-9]+ failed' <<<"$line" | cut -d' ' -f1)
    errors=$(grep -oE '[0-9]+ errors?' <<<"$line" | cut -d' ' -f1)
    skipped=$(grep -oE '[0-9]+ skipped' <<<"$line" | cut -d' ' -f1)
    echo "${passed:-0} passed, $(( ${failed:-0} + ${errors:-0} )) failed, ${skipped:-0} skipped"
}

# A skipped test is not a passed one: any skip fails the stage.
pytest_stage() {
    local log=$1 rc=$2 counts
    counts=$(pytest_counts "$log")
    COUNTS=$counts
    [ "$rc" = 0 ] && [[ $counts != 0\ passed* ]] && [[ $counts == *" 0 skipped" ]]
}

# ansible-test sanity of the given ansible-core's ansible-test (default: the dev venv's, the newest).
run_sanity() {
    local log=$1 ansible_test=${2:-ansible-test}
    (cd "$COLLECTION_TREE" && "$ansible_test" sanity --venv --python 3.11 --color no) >"$log" 2>&1
    local rc=$? total failed
    total=$(grep -c '^Running sanity test' "$1")
    failed=$(grep -oE 'The [0-9]+ sanity test\(s\) listed below' "$1" | grep -oE '[0-9]+' || true)
    failed=${failed:-$([ $rc = 0 ] && echo 0 || echo 1)}
    COUNTS="$(( total - failed )) passed, $failed failed (sanity tests, ansible-core $("$ansible_test" --version | awk '{print $NF}'))"
    [ $rc = 0 ] && [ "$total" -gt 0 ]
}

stage_sanity() {
    run_sanity "$1"
}

# The oldest ansible-core that meta/runtime.yml's requires_ansible admits (2.16), from its own venv.
stage_sanity-old() {
    run_sanity "$1" "$VENV_CORE_OLD/bin/ansible-test"
}

stage_units() {
    (cd "$COLLECTION_TREE" && PYTHONPATH=$COLLECTIONS python -m pytest tests/unit -q -p no:cacheprovider) >"$1" 2>&1
    pytest_stage "$1" $?
}

# ansible-lint (production profile), the formatter's check (black, settings in pyproject.toml; `make format`), and no
# function over 60 lines in plugins/ and extensions/ (scripts/longest_functions.py prints the longest ten).
stage_lint() {
    (cd "$REPO" && ansible-lint --nocolor --profile production) >"$1" 2>&1
    local rc=$?
    (cd "$REPO" && black --check .) >>"$1" 2>&1
    local format_rc=$?
    (cd "$REPO" && python scripts/longest_functions.py) >>"$1" 2>&1
    local length_rc=$?
    COUNTS="$(grep -E "^(Passed|Failed)" "$1" | tail -1 | cut -c1-60); black: $(grep -E 'files? would be|unchanged' "$1" | tail -1); $(grep -E '^longest functions:' "$1" | tail -1)"
    [ $rc = 0 ] && [ $format_rc = 0 ] && [ $length_rc = 0 ] && grep -q "Profile 'production' was required, and it passed" "$1"
}

# antsibull-docs' lint of the plugin, role and extra docs; then the committed guides (docs/docsite/rst) must be the
# Markdown's, converted (`make docs-rst`), and list every guide.
stage_docs() {
    (cd "$COLLECTION_TREE" && antsibull-docs lint-collection-docs --plugin-docs .) >"$1" 2>&1
    local rc=$? plugins errors guides_rc
    plugins=$(cd "$COLLECTION_TREE/plugins" && find modules inventory -name '*.py' ! -name '__init__.py' 2>/dev/null | wc -l)
    errors=$(grep -c . "$1")
    python "$REPO/scripts/docsite.py" check "$REPO/docs" >"$1.guides" 2>&1
    guides_rc=$?
    cat "$1.guides" >>"$1"
    COUNTS="$plugins plugins checked, $errors errors; $(tail -1 "$1.guides" | cut -c1-60)"
    [ $rc = 0 ] && [ "$errors" = 0 ] && [ "$plugins" -gt 0 ] && [ $guides_rc = 0 ]
}

# Documentation site: plugin docs (antsibull-docs) and the guides (docs/*.md through pandoc) built with Sphinx in
# nitpicky mode, warnings as errors: a broken internal reference fails the stage.
stage_docsite() {
    bash "$REPO/scripts/docsite.sh" >"$1" 2>&1
    local rc=$?
    COUNTS=$(grep -E '^docsite:' "$1" | tail -1)
    COUNTS=${COUNTS:-"docsite build failed"}
    return $rc
}

# antsibull-changelog lint; then the release history: changelogs/changelog.yaml holds a release no newer than
# galaxy.yml's version, and CHANGELOG.rst is what antsibull-changelog generates from it (in the collection copy).
stage_changelog() {
    (cd "$REPO" && antsibull-changelog lint) >"$1" 2>&1
    local rc=$? fragments errors history_rc
    fragments=$(find "$REPO/changelogs/fragments" -name '*.yml' | wc -l)
    errors=$(grep -c . "$1")
    (cd "$COLLECTION_TREE" && antsibull-changelog generate && diff -u "$REPO/CHANGELOG.rst" CHANGELOG.rst \
        && python - <<'PYEOF'
import yaml
from ansible.module_utils.compat.version import LooseVersion
releases = sorted(yaml.safe_load(open("changelogs/changelog.yaml"))["releases"], key=LooseVersion)
version = yaml.safe_load(open("galaxy.yml"))["version"]
assert releases, "changelogs/changelog.yaml has no release"
assert LooseVersion(releases[-1]) <= LooseVersion(version), (releases[-1], version)
print("releases %s; galaxy.yml %s; CHANGELOG.rst generated" % (", ".join(releases), version))
PYEOF
    ) >"$1.history" 2>&1
    history_rc=$?
    cat "$1.history" >>"$1"
    COUNTS="$fragments fragments checked, $errors errors; $(tail -1 "$1.history" | cut -c1-60)"
    [ $rc = 0 ] && [ "$errors" = 0 ] && [ $history_rc = 0 ]
}

# The collection against the emulators (tests/integration) and the emulators' own tests beside them (tools/*/tests).
stage_integration() {
    (cd "$REPO" && python -m pytest tests/integration tests/reliability tools -q -p no:cacheprovider --durations=5) >"$1" 2>&1
    pytest_stage "$1" $?
}

stage_molecule() {
    local passed=0 failed=0 dir name
    : >"$1"
    for dir in "$REPO"/extensions/molecule/*/; do
        [ -f "$dir/molecule.yml" ] || continue
        name=$(basename "$dir")
        echo "=== molecule test -s $name" >>"$1"
        if (cd "$REPO/extensions" && molecule test -s "$name") >>"$1" 2>&1; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1)); echo "=== FAILED: $name" >>"$1"
        fi
    done
    COUNTS="$passed passed, $failed failed (scenarios)"
    [ $failed = 0 ] && [ $passed -gt 0 ]
}

stage_build() {
    bash "$REPO/scripts/build-roundtrip.sh" >"$1" 2>&1
    local rc=$?
    COUNTS=$(grep -E '^roundtrip:' "$1" | tail -1)
    COUNTS=${COUNTS:-"roundtrip failed"}
    return $rc
}

bash "$REPO/scripts/setup.sh" || { echo "setup failed"; exit 1; }
sync_collection_tree

declare -a summary
failures=0
for stage in "${stages[@]}"; do
    declare -F "stage_$stage" >/dev/null || { echo "unknown stage: $stage (stages: ${ALL_STAGES[*]})"; exit 2; }
    log=$LOGS/$stage.log
    start=$SECONDS
    COUNTS=""
    if "stage_$stage" "$log"; then verdict=PASS; else verdict=FAIL; failures=$((failures + 1)); fi
    line=$(printf '%-12s %s  %-60s %4ss' "$stage" "$verdict" "$COUNTS" "$((SECONDS - start))")
    echo "$line"
    summary+=("$line")
    if [ $verdict = FAIL ]; then
        echo "---- last lines of $log ----"
        tail -40 "$log"
        echo "----"
    fi
done

echo
echo "Summary (logs in $LOGS):"
printf '%s\n' "${summary[@]}"
echo "stages: $(( ${#stages[@]} - failures )) passed, $failures failed"
[ $failures = 0 ]
