# docker-krust: build, install, test and demo.
BIN        := bin
PLUGIN_DIR ?= $(HOME)/.docker/cli-plugins
PREFIX     ?= /usr/local
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS    := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build install test lint test-tools kube-tools fuzz fuzz-quick demo bench same clean

build: ## the plugin binary, with a krust link beside it
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/docker-krust ./cmd/docker-krust
	ln -sf docker-krust $(BIN)/krust

install: build ## as a Docker CLI plugin and as $(PREFIX)/bin/krust
	install -D -m 0755 $(BIN)/docker-krust $(PLUGIN_DIR)/docker-krust
	install -D -m 0755 $(BIN)/docker-krust $(PREFIX)/bin/krust

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	go vet ./...

# TEST_TIMEOUT bounds each test binary. The e2e package takes about 2.5
# minutes on an idle 2-core machine; on one loaded with other builds (load
# 9) it passed Go's default 10 minutes, so the bound is a generous 30:
# a hang still ends the run, a busy machine does not.
TEST_TIMEOUT ?= 30m

# The Kubernetes tests (internal/testkube) run a real etcd and kube-apiserver,
# and the signing tests real cosigns (v3 and v2), built from the Go module proxy once
# per machine into TEST_TOOLS, one directory per version: about 22 minutes
# and 5 GB of module and build cache cold, under a second once built. The
# tests find them through KRUST_TEST_TOOLS.
TEST_TOOLS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/docker-krust/tools
export KRUST_TEST_TOOLS := $(TEST_TOOLS)

test-tools: ## build etcd, kube-apiserver and cosign for the tests, once per machine (hack/test-tools.sh)
	nice -n 10 hack/test-tools.sh '$(TEST_TOOLS)'

kube-tools: test-tools ## the same as test-tools (its former name)

test: lint test-tools ## unit and end-to-end tests (real cargo, skopeo, umoci, Docker), then each fuzzer briefly
	go test -count=1 -timeout $(TEST_TIMEOUT) ./...
	$(call fuzz,$(FUZZ_QUICK))

# Each fuzz target runs a fixed number of inputs (a count, not -fuzztime
# 20s: a time limit sometimes ends a run with a spurious "context deadline
# exceeded" on a busy machine). Corpora live in each package's
# testdata/fuzz. FUZZ_QUICK, run by `make test` (and `make fuzz-quick`),
# takes 46-62 s for all 8 targets, 3-12 s each (three runs on the
# project's 2-core machine at load 1.5-5.3, warm build cache); `make fuzz`
# runs FUZZ_TARGETS, sized for about 20 s per target (17-58 s measured).
FUZZ_QUICK   := imageref:FuzzComponent:25000 imageref:FuzzName:80000 imageref:FuzzValidTag:180000 \
	oci:FuzzParsePlatform:100000 oci:FuzzWriteLayer:5000 layout:FuzzIndex:2000 \
	config:FuzzLoad:15000 config:FuzzCargoSettings:10000
FUZZ_TARGETS := imageref:FuzzComponent:160000 imageref:FuzzName:350000 imageref:FuzzValidTag:1300000 \
	oci:FuzzParsePlatform:850000 oci:FuzzWriteLayer:25000 layout:FuzzIndex:20000 \
	config:FuzzLoad:55000 config:FuzzCargoSettings:65000

# fuzz runs the targets PKG:FUZZ:COUNT given as $(1).
define fuzz
@set -e; for t in $(1); do \
	  pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$${rest#*:}; \
	  echo "fuzz ./$$pkg $$fn ($$n inputs)"; \
	  go test ./$$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $${n}x -fuzzminimizetime 2s; \
	done
endef

fuzz: ## run every fuzz target for its longer bounded number of inputs
	$(call fuzz,$(FUZZ_TARGETS))

fuzz-quick: ## the fuzz part of make test alone
	$(call fuzz,$(FUZZ_QUICK))

demo: build ## build example/hello-krust into an OCI layout and run it
	hack/demo.sh

bench: build ## packaging, no-op rebuild, memory and push against crane, cargo and skopeo (hack/bench.sh; BENCH_RUNS=1 for a quick run)
	hack/bench.sh

same: ## the working tree's binary against SAME_BASE's (default: where the branch left main): same stdout, stderr, digests (hack/same-behaviour.sh)
	hack/same-behaviour.sh

clean:
	rm -rf $(BIN) example/*/target
