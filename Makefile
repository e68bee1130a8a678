# Conflux. `make demo` runs the product on a synthetic agency; `make test` runs every test.
GO       ?= go
# The DuckDB driver's Arrow API is behind this build tag.
export GOFLAGS := -tags=duckdb_arrow

BIN             := bin/conflux
ECHARTS_VERSION := 5.4.3
ECHARTS         := dashboards/assets/echarts.min.js
BENCH_ENTRIES   ?= 1000000

.PHONY: all build assets test lint demo bench docs screenshots clean

all: build

build: assets
	$(GO) build -o $(BIN) ./cmd/conflux

# echarts comes from the npm registry at build time and is embedded in the
# binary, so the dashboards never load anything from a CDN.
assets: $(ECHARTS)

$(ECHARTS):
	@mkdir -p build/npm
	cd build/npm && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null
	tar -xzf build/npm/echarts-$(ECHARTS_VERSION).tgz -C build/npm package/dist/echarts.min.js
	cp build/npm/package/dist/echarts.min.js $@

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

test: assets lint
	$(GO) test -race -timeout 30m ./...

demo: build
	./$(BIN) demo

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./$(BIN) bench --entries $(BENCH_ENTRIES)

# The metric-definition page is generated from the models' header comments.
docs: build
	./$(BIN) docs --out docs/metrics.md

# Photographs every dashboard of the demo for the README (needs chromium).
screenshots: build
	rm -rf build/shots && { ./$(BIN) demo --dir build/shots --listen 127.0.0.1:18088 >build/shots.log 2>&1 & pid=$$!; \
	for i in $$(seq 180); do curl -sf http://127.0.0.1:18088/healthz >/dev/null && break; sleep 1; done; \
	$(GO) run ./scripts/screenshots --url http://127.0.0.1:18088 --out docs/screenshots; status=$$?; \
	kill $$pid; wait $$pid; exit $$status; }

clean:
	rm -rf bin build conflux-demo
