"""In-memory emulator of the Juniper Apstra REST API (two_stage_l3clos blueprints) for tests, demos and benchmarks."""
