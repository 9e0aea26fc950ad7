# Kefu Desk — build, run and test. `make run` and `make test` install the C packages they need
# on Debian/Ubuntu (scripts/deps.sh); see README.md for macOS and Windows.
GO    ?= go
TAGS  := migrated_fynedo
PKGS  := ./...

.PHONY: run test build store deps vet fuzz bench soak dist dist-windows wine-smoke deb-check

## run: build the desk and start it on the demo shop (embedded store server, no set-up)
run: build
	./kefu --demo

## test: the whole test suite with the race detector
test: deps
	$(GO) vet -tags $(TAGS) $(PKGS)
	$(GO) test -race -tags $(TAGS) -timeout 15m $(PKGS)

# VERSION is the release the binaries say they are (--version, About, /healthz).
# The commit is passed too: Go's own VCS stamp is off where GOFLAGS has -buildvcs=false.
VERSION ?= 0.2.0
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS := -X kefu/internal/version.Version=$(VERSION) -X kefu/internal/version.commit=$(COMMIT)

## build: the desk binary ./kefu and the store server ./kefu-store
build: deps store
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o kefu .

store:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o kefu-store ./cmd/kefu-store

## dist: the installable packages in dist/: a Windows zip (kefu.exe, kefu-store.exe), a Linux
## .tar.xz and a .deb (with a systemd unit for kefu-store). See scripts/dist.sh and README, Install.
dist:
	VERSION=$(VERSION) bash scripts/dist.sh all

## dist-windows: only the Windows desk, cross-compiled with mingw-w64 (CI runs it)
dist-windows:
	VERSION=$(VERSION) bash scripts/dist.sh windows

## deb-check: install dist/'s .deb in a fresh Debian chroot and run kefu --version there (root)
deb-check:
	bash scripts/deb-check.sh

## wine-smoke: start dist/windows/kefu.exe under Wine in a private Xvfb and check its window shows
wine-smoke:
	bash scripts/wine-smoke.sh

deps:
	@bash scripts/deps.sh

vet: deps
	$(GO) vet -tags $(TAGS) $(PKGS)

## bench: the Go benchmarks (ns/op, allocations), then the table of figures on the large demo
## shop (cmd/kefu-bench), which is generated once into BENCH_CACHE; exits non-zero when a figure
## misses its target. Not part of `make test`. See README.md, Benchmarks.
BENCH_CACHE ?= .cache/bench
BENCH_FLAGS ?=
bench:
	@bash scripts/deps.sh xvfb xdotool
	$(GO) run -tags $(TAGS) ./cmd/kefu-bench --prepare --cache $(BENCH_CACHE)
	KEFU_BENCH_CACHE=$(abspath $(BENCH_CACHE)) $(GO) test -tags $(TAGS) -p 1 -run '^$$' -bench . -benchmem $(PKGS)
	$(GO) run -tags $(TAGS) ./cmd/kefu-bench --cache $(BENCH_CACHE) $(BENCH_FLAGS)

## fuzz: run every fuzz target for FUZZTIME each (default 30s); their seed corpora run in `make test`
FUZZTIME ?= 30s
FUZZ_TARGETS := ./server:FuzzMutationsBody ./server:FuzzLoginBody ./server:FuzzChatBodies \
	./localdb:FuzzApplyChanges ./shop:FuzzDecide
fuzz: deps
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## soak: the fault soak (cmd/kefu-soak): kefu-store killed at random, three desks syncing through
## Toxiproxy faults with skewed clocks, for 10m30s; prints the counts and fails unless lost,
## duplicated and diverged are all 0. A short version runs in `make test` (soak/soak_test.go).
## SOAK_FLAGS passes flags, e.g. SOAK_FLAGS="--duration 2m --seed 7".
SOAK_FLAGS ?=
soak:
	$(GO) run -tags $(TAGS) ./cmd/kefu-soak $(SOAK_FLAGS)
