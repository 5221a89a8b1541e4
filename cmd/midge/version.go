package main

// Version is the release of this build; `make build` overrides it with
// -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"
