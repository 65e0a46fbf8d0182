# One command sets up and runs the demo, one sets up and runs every test. See README.md.
.PHONY: setup demo test sanity units lint docs changelog integration molecule build bench clean

setup:
	bash scripts/setup.sh

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

sanity units lint docs changelog integration molecule build:
	bash scripts/test.sh $@

bench:
	bash scripts/bench.sh

clean:
	rm -rf build .venv
