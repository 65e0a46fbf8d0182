"""What both emulators share: fault rules, the request log and the `/_sim/` control API."""
