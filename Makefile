# One command sets up and runs the demo, one sets up and runs every test. See README.md.
.PHONY: setup demo test format docs-rst sanity sanity-old units lint docs docsite changelog integration molecule build ee-context bench clean

setup:
	bash scripts/setup.sh

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

sanity sanity-old units lint docs docsite changelog integration molecule build:
	bash scripts/test.sh $@

ee-context:
	bash scripts/ee-context.sh

bench:
	bash scripts/bench.sh

clean:
	rm -rf build .venv

format:
	.venv/bin/black .

# The guides (docs/*.md) as reStructuredText for the documentation site, committed so that every tarball carries them.
docs-rst:
	.venv/bin/python scripts/docsite.py rst docs docs/docsite/rst
