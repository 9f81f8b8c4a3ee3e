# connbudget — build, test, demo.
#
#   make          build build/connbudget
#   make demo     install missing Debian packages, build, run the bundled example
#   make test     install missing Debian packages, build, run every test
#                 (Check suites and CLI tests, under ASan + UBSan)

CC      ?= cc
PREFIX  ?= /usr/local
BUILD_DEBS := libyaml-dev libcjson-dev libinih-dev pkg-config
DEBS    := $(BUILD_DEBS) check python3-jsonschema python3-yaml \
           pre-commit man-db groff-base clang libclang-rt-14-dev valgrind

PKGS    := yaml-0.1 libcjson inih
WARN    := -Wall -Wextra -Wpedantic -Werror
CSTD    := -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700
OPT     ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
# The release build (and make bench's) links Debian's static libyaml with
# its allocator renamed to yalloc_* (src/yalloc.h), and inih statically:
# fewer shared libraries to load at start-up, and libyaml's many small
# blocks off glibc's malloc. libm is only linked if something needs it
# (round_even stands in for nearbyint). The sanitizer builds link the
# shared libraries as they are.
YAML_A   = $(shell pkg-config --variable=libdir yaml-0.1 2>/dev/null)/libyaml.a
REL_LIBS = -Wl,--as-needed build/libyaml_yalloc.a -Wl,-Bstatic -linih -Wl,-Bdynamic \
           $(shell pkg-config --libs libcjson 2>/dev/null) -lm -pthread
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) -pthread -Isrc -Ibuild/gen $(PKG_CFLAGS) $(CFLAGS)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN    := -fsanitize=thread -fno-omit-frame-pointer

SRC     := $(sort $(wildcard src/*.c src/*/*.c))
HDRS    := $(wildcard src/*.h src/*/*.h)
TESTS   := $(sort $(filter-out tests/check_main.c,$(wildcard tests/check_*.c)))
CATALOGS := $(sort $(wildcard catalog/*.tsv))
CATALOG_H := $(CATALOGS:catalog/%.tsv=build/gen/catalog_%.h)
GEN     := build/gen/schema_data.h build/gen/suites.h $(CATALOG_H) \
           build/gen/catalog_all.h build/gen/catalog_providers.h

OBJ      := $(SRC:%.c=build/obj/%.o)
SAN_OBJ  := $(SRC:%.c=build/san/%.o)
TSAN_OBJ := $(SRC:%.c=build/tsan/%.o)

.DEFAULT_GOAL := all

.PHONY: all deps demo test unit cli integration threads clean install uninstall docs
all: build/connbudget

# Install what is missing, once: apt-get update, then apt-get install -y.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build/gen/schema_data.h: schemas/topology.schema.json
	@mkdir -p $(@D)
	{ echo "static const unsigned char schema_data[] = {"; \
	  od -An -v -tx1 $< | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo "0x00 };"; } > $@

# The managed-provider catalog (src/catalog.h): one header per catalog/*.tsv,
# checked row by row (a source and a verified date each) as it is generated.
build/gen/catalog_%.h: catalog/%.tsv tools/catalog_gen.sh
	@mkdir -p $(@D)
	sh tools/catalog_gen.sh $< > $@.tmp && mv $@.tmp $@

build/gen/catalog_all.h: $(CATALOG_H)
	@mkdir -p $(@D)
	for h in $(CATALOG_H); do echo "#include \"$${h#build/gen/}\""; done > $@

build/gen/catalog_providers.h: $(CATALOGS)
	@mkdir -p $(@D)
	for f in $(CATALOGS); do n=$${f#catalog/}; echo "CATALOG_PROVIDER(\"$${n%.tsv}\")"; done > $@

build/gen/suites.h: $(TESTS)
	@mkdir -p $(@D)
	@for t in $(TESTS); do n=$${t#tests/check_}; echo "SUITE($${n%.c})"; done > $@.tmp; \
	cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

build/obj/%.o: %.c $(GEN) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/san/%.o: %.c $(GEN) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) $(CHECK_CFLAGS) -c $< -o $@

build/tsan/%.o: %.c $(GEN) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TSAN) -c $< -o $@

# libyaml.a with malloc, realloc, free and strdup renamed (its api.o is the only caller).
build/libyaml_yalloc.a: $(YAML_A)
	@mkdir -p $(@D)
	objcopy --redefine-sym malloc=yalloc_malloc --redefine-sym realloc=yalloc_realloc \
		--redefine-sym free=yalloc_free --redefine-sym strdup=yalloc_strdup $< $@

build/connbudget: $(OBJ) build/obj/cmd/connbudget/main.o build/libyaml_yalloc.a
	$(CC) $(LDFLAGS) -o $@ $(OBJ) build/obj/cmd/connbudget/main.o $(REL_LIBS)

build/san/connbudget: $(SAN_OBJ) build/san/cmd/connbudget/main.o
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ThreadSanitizer cannot share a build with ASan: its own, for tests/threads.sh.
build/tsan/connbudget: $(TSAN_OBJ) build/tsan/cmd/connbudget/main.o
	$(CC) $(TSAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/san/check_all: $(SAN_OBJ) $(TESTS:%.c=build/san/%.o) build/san/tests/check_main.o
	$(CC) $(SAN) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# The demo needs only what builds connbudget.
demo:
	@$(MAKE) --no-print-directory deps DEBS="$(BUILD_DEBS)"
	@$(MAKE) --no-print-directory build/connbudget
	./build/connbudget check testdata/examples/connbudget.yaml || true

unit: build/san/check_all
	cd tests && ../build/san/check_all

cli: build/san/connbudget build/connbudget
	CONNBUDGET=build/san/connbudget tests/cli.sh
	CONNBUDGET=build/san/connbudget tests/plan.sh
	CONNBUDGET=build/san/connbudget tests/hostile.sh
	CONNBUDGET=build/san/connbudget tests/sources.sh
	CONNBUDGET=build/san/connbudget tests/sources_real.sh
	CONNBUDGET=build/san/connbudget tests/sources_aws.sh
	CONNBUDGET=build/san/connbudget tests/errors.sh

# The schema and the loader accept the same files; the hook, install, man
# page and completion work as a user meets them.
integration: build/connbudget build/san/connbudget
	CONNBUDGET=build/san/connbudget /usr/bin/python3 tests/schema_agree.py
	CONNBUDGET=build/san/connbudget tests/precommit.sh
	CONNBUDGET=build/connbudget tests/unix.sh

# A large JSON report's two threads, under ThreadSanitizer and under ASan + UBSan.
threads: build/tsan/connbudget build/san/connbudget build/connbudget
	CONNBUDGET=build/tsan/connbudget tests/threads.sh
	CONNBUDGET=build/san/connbudget tests/threads.sh

# Everything: unit suites and CLI tests under ASan + UBSan, the schema,
# integration, hostile input (secrets, limits, a bounded fuzz run, valgrind)
# and observe against a real PostgreSQL and PgBouncer.
test: deps
	@$(MAKE) --no-print-directory build/connbudget build/san/connbudget build/san/check_all
	@$(MAKE) --no-print-directory unit cli integration threads secrets limits observe-test
	@# the two longest stages side by side, one per core, each one's output whole when it ends
	@$(MAKE) --no-print-directory -j2 --output-sync=target fuzz-smoke valgrind
	@$(MAKE) --no-print-directory $(TEST_EXTRA)

clean:
	rm -rf build

# The rule table and pages in docs/rules and the man page come from the registry.
docs: build/connbudget
	tools/gendocs.sh build/connbudget

install: build/connbudget
	install -Dm755 build/connbudget $(DESTDIR)$(PREFIX)/bin/connbudget
	install -Dm644 connbudget.1 $(DESTDIR)$(PREFIX)/share/man/man1/connbudget.1
	install -Dm644 contrib/bash-completion/connbudget $(DESTDIR)$(PREFIX)/share/bash-completion/completions/connbudget
	install -Dm644 schemas/topology.schema.json $(DESTDIR)$(PREFIX)/share/connbudget/topology.schema.json

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/connbudget $(DESTDIR)$(PREFIX)/share/man/man1/connbudget.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/connbudget \
		$(DESTDIR)$(PREFIX)/share/connbudget/topology.schema.json
	-rmdir $(DESTDIR)$(PREFIX)/share/connbudget 2>/dev/null

# Further rooms (fuzz, bench, observe, ...) keep their rules beside the main
# ones in mk/NAME.mk; a room's tests join `make test` with TEST_EXTRA += TARGET
# and its packages join `deps` with DEBS += PACKAGE.
TEST_EXTRA :=
-include mk/*.mk
