"""In-memory Kubernetes API emulator for netops.cn2_apstra tests, molecule scenarios, benchmarks and the demo."""
