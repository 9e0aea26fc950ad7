# Kefu Desk — build, run and test. `make run` and `make test` install the C packages they need
# on Debian/Ubuntu (scripts/deps.sh); see README.md for macOS and Windows.
GO    ?= go
TAGS  := migrated_fynedo
PKGS  := ./...

.PHONY: run test build store deps vet

## run: build the desk and start it on the demo shop (embedded store server, no set-up)
run: build
	./kefu --demo

## test: the whole test suite with the race detector
test: deps
	$(GO) vet -tags $(TAGS) $(PKGS)
	$(GO) test -race -tags $(TAGS) -timeout 15m $(PKGS)

## build: the desk binary ./kefu and the store server ./kefu-store
build: deps store
	$(GO) build -tags $(TAGS) -o kefu .

store:
	CGO_ENABLED=0 $(GO) build -o kefu-store ./cmd/kefu-store

deps:
	@bash scripts/deps.sh

vet: deps
	$(GO) vet -tags $(TAGS) $(PKGS)
