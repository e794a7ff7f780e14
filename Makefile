# purple-msnp — MSN Messenger (MSNP8–14) protocol plugin for libpurple.
#
#   make                 build build/libmsnp.so (never touches the network)
#   make check           install missing test dependencies (Debian/Ubuntu), build
#                        everything with -Werror and run every test
#   make check-asan      the same suite under AddressSanitizer
#   make check-valgrind  the conversation tests under valgrind (no leak from the plugin)
#   make demo            start the test server and Finch/Pidgin pointed at it
#   make install         PREFIX=, PLUGINDIR=, DATADIR=, LOCALEDIR=, DESTDIR= honoured
#   make install-user    into ~/.purple/plugins
#   make uninstall       remove exactly what install put
#   make dist            purple-msnp-$(VERSION).tar.gz
#   make pot / update-po / mo   translation template, merge, compile

PACKAGE   := purple-msnp
VERSION   := 0.1.0
GETTEXT_PACKAGE := purple-msnp

PKG_CONFIG ?= pkg-config
INSTALL    ?= install
MSGFMT     ?= msgfmt
MSGMERGE   ?= msgmerge
XGETTEXT   ?= xgettext
RSVG_CONVERT ?= rsvg-convert
CLANG      ?= clang

# Where things go.  The defaults come from libpurple's own pkg-config file so the
# plugin lands where Pidgin and Finch look.  PREFIX moves plugin and data together.
ifdef PREFIX
PLUGINDIR ?= $(PREFIX)/lib/purple-2
DATADIR   ?= $(PREFIX)/share
else
PLUGINDIR ?= $(shell $(PKG_CONFIG) --variable=plugindir purple 2>/dev/null || echo /usr/lib/purple-2)
DATADIR   ?= $(shell $(PKG_CONFIG) --variable=datarootdir purple 2>/dev/null || echo /usr/share)
endif
LOCALEDIR  ?= $(DATADIR)/locale
PIXMAPSDIR ?= $(DATADIR)/pixmaps/pidgin/protocols
USER_PLUGINDIR ?= $(HOME)/.purple/plugins
USER_LOCALEDIR ?= $(if $(XDG_DATA_HOME),$(XDG_DATA_HOME),$(HOME)/.local/share)/locale

# Build flavours: the default build warns; STRICT=1 (used by check) fails on
# warnings; SANITIZE=address adds ASan.  Each flavour has its own build folder.
BUILDDIR ?= build

# Quiet by default; V=1 shows the commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n'
endif
STRICT   ?=
SANITIZE ?=

PLUGIN_PKGS := purple glib-2.0 gio-2.0 libsoup-3.0 libxml-2.0
SERVER_PKGS := glib-2.0 gio-2.0 libsoup-3.0 libxml-2.0
PROTO_PKGS  := glib-2.0

pkg_cflags = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null))
pkg_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

CFLAGS ?= -O2 -g
WARN_CFLAGS := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifeq ($(STRICT),1)
WARN_CFLAGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wpointer-arith \
  -Wmissing-prototypes -Wstrict-prototypes -Wold-style-definition \
  -Wnull-dereference -Wundef -Wcast-align -Wvla -Wno-unused-parameter \
  -Wno-missing-field-initializers -Wno-format-nonliteral
endif
ifeq ($(SANITIZE),address)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
endif

BASE_CFLAGS := -std=gnu11 -fPIC -Isrc -DGETTEXT_PACKAGE=\"$(GETTEXT_PACKAGE)\" \
  -DLOCALEDIR=\"$(LOCALEDIR)\" -DPACKAGE_VERSION=\"$(VERSION)\" \
  -DGLIB_DISABLE_DEPRECATION_WARNINGS -DPURPLE_PLUGINS $(WARN_CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

# Sources.  Every .c below src/ except src/proto goes into the plugin; src/proto
# is also linked into the tests, the fuzzers and the test server.
PROTO_SRC  := $(sort $(wildcard src/proto/*.c))
PLUGIN_SRC := $(sort $(filter-out $(PROTO_SRC),$(wildcard src/*.c src/*/*.c)))
SERVER_SRC := $(sort $(wildcard tests/server/*.c))
DRIVER_SRC := $(sort $(filter-out tests/integration/test-%.c,$(wildcard tests/integration/*.c)))
UNIT_SRC   := $(sort $(wildcard tests/unit/test-*.c))
INTEG_SRC  := $(sort $(wildcard tests/integration/test-*.c))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz-*.c))
BENCH_SRC  := $(sort $(wildcard tests/bench/bench-*.c))

obj = $(patsubst %.c,$(BUILDDIR)/obj/%.o,$(1))

PROTO_OBJ  := $(call obj,$(PROTO_SRC))
PLUGIN_OBJ := $(call obj,$(PLUGIN_SRC))
SERVER_OBJ := $(call obj,$(SERVER_SRC))
DRIVER_OBJ := $(call obj,$(DRIVER_SRC))

PLUGIN     := $(BUILDDIR)/libmsnp.so
PROTO_LIB  := $(BUILDDIR)/libmsnproto.a
SERVER     := $(BUILDDIR)/msnp-testserver
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(UNIT_SRC))
INTEG_BIN  := $(patsubst tests/integration/%.c,$(BUILDDIR)/tests/%,$(INTEG_SRC))
REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(BUILDDIR)/tests/replay-%,$(FUZZ_SRC))
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,$(BUILDDIR)/fuzz/%,$(FUZZ_SRC))
BENCH_BIN  := $(patsubst tests/bench/%.c,$(BUILDDIR)/bench/%,$(BENCH_SRC))

LINGUAS    := $(sort $(basename $(notdir $(wildcard po/*.po))))
MO_FILES   := $(patsubst %,$(BUILDDIR)/locale/%/LC_MESSAGES/$(GETTEXT_PACKAGE).mo,$(LINGUAS))
ICON_SIZES := 16 22 48
ICONS      := $(foreach s,$(ICON_SIZES),data/icons/$(s)/msnp.png)

.PHONY: all plugin tests install install-user uninstall uninstall-user check check-asan \
        check-valgrind check-build demo dist clean pot update-po mo icons fuzz bench deps-check deps-demo
.DELETE_ON_ERROR:

all: plugin mo

plugin: $(PLUGIN)

$(BUILDDIR)/obj/src/proto/%.o: src/proto/%.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) $(call pkg_cflags,$(PROTO_PKGS)) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILDDIR)/obj/src/%.o: src/%.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) $(call pkg_cflags,$(PLUGIN_PKGS)) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILDDIR)/obj/tests/server/%.o: tests/server/%.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) $(call pkg_cflags,$(SERVER_PKGS)) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILDDIR)/obj/tests/%.o: tests/%.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) -Itests $(call pkg_cflags,$(PLUGIN_PKGS)) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(PROTO_LIB): $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(PLUGIN): $(PLUGIN_OBJ) $(PROTO_LIB)
	$(say) LINK $@
	$(Q)$(CC) -shared -o $@ $(PLUGIN_OBJ) $(PROTO_LIB) $(ALL_LDFLAGS) $(call pkg_libs,$(PLUGIN_PKGS))

$(SERVER): $(SERVER_OBJ) $(PROTO_LIB)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $(SERVER_OBJ) $(PROTO_LIB) $(ALL_LDFLAGS) $(call pkg_libs,$(SERVER_PKGS))

$(BUILDDIR)/tests/test-%: $(BUILDDIR)/obj/tests/unit/test-%.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(call pkg_libs,$(PROTO_PKGS))

# test-abch also links the SOAP documents (libxml2 to build them, the proto
# library's reader to read them; no libpurple, no libsoup).
$(BUILDDIR)/tests/test-abch: $(BUILDDIR)/obj/tests/unit/test-abch.o $(BUILDDIR)/obj/src/soap/abch-xml.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(call pkg_libs,glib-2.0 libxml-2.0)

# Integration tests: the headless libpurple driver plus one test file each.
# (Pattern rules cannot tell unit from integration names, so list them.)
define INTEG_RULE
$(BUILDDIR)/tests/$(1): $(BUILDDIR)/obj/tests/integration/$(1).o $(DRIVER_OBJ) $(PROTO_LIB)
	@mkdir -p $$(dir $$@)
	$$(say) LINK $$@
	$$(Q)$$(CC) -o $$@ $$^ $$(ALL_LDFLAGS) $$(call pkg_libs,$$(PLUGIN_PKGS))
endef
$(foreach t,$(basename $(notdir $(INTEG_SRC))),$(eval $(call INTEG_RULE,$(t))))

# msnp-peer: a second user for the UI scripts and the demo (the driver, as a tool).
PEER := $(BUILDDIR)/msnp-peer
$(PEER): $(BUILDDIR)/obj/tests/peer/msnp-peer.o $(DRIVER_OBJ) $(PROTO_LIB)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(call pkg_libs,$(PLUGIN_PKGS))

# Fuzz targets: always built as corpus replayers (run by check); built as real
# libFuzzer binaries with `make fuzz` when clang is present.
$(BUILDDIR)/tests/replay-fuzz-%: $(BUILDDIR)/obj/tests/fuzz/fuzz-%.o $(BUILDDIR)/obj/tests/fuzz/replay-main.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(call pkg_libs,$(PROTO_PKGS))

$(BUILDDIR)/obj/tests/fuzz/replay-main.o: tests/fuzz/replay-main.c Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) $(call pkg_cflags,$(PROTO_PKGS)) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILDDIR)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(PROTO_SRC)
	@mkdir -p $(dir $@)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -Isrc $(call pkg_cflags,$(PROTO_PKGS)) \
	  -o $@ $< $(PROTO_SRC) $(call pkg_libs,$(PROTO_PKGS))

fuzz:
	@command -v $(CLANG) >/dev/null || { echo "fuzz: $(CLANG) not found (apt-get install clang)"; exit 1; }
	$(MAKE) $(FUZZ_BIN)
	@rc=0; for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(BUILDDIR)/fuzz/new-$$n; \
	  echo "== $$n ($(or $(FUZZ_SECONDS),60) s)"; \
	  $$f -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=4096 \
	    -artifact_prefix=$(BUILDDIR)/fuzz/crash-$$n- \
	    $(BUILDDIR)/fuzz/new-$$n tests/fuzz/corpus/$$n || rc=1; done; \
	  [ $$rc -eq 0 ] || echo "fuzz: crashes were saved as $(BUILDDIR)/fuzz/crash-*"; exit $$rc

$(BUILDDIR)/bench/bench-%: $(BUILDDIR)/obj/tests/bench/bench-%.o $(DRIVER_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(call pkg_libs,$(PLUGIN_PKGS))

bench: $(PLUGIN) $(SERVER) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; MSNP_BUILDDIR=$(BUILDDIR) $$b || exit 1; done

# A getaddrinfo shim the DNS-failure test preloads (tests/shim/nodns.c).
$(BUILDDIR)/tests/shim/libnodns.so: tests/shim/nodns.c Makefile
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -shared -fPIC $(CPPFLAGS) $(CFLAGS) -o $@ $< -ldl

tests: $(PLUGIN) $(SERVER) $(PEER) $(UNIT_BIN) $(INTEG_BIN) $(REPLAY_BIN) $(BUILDDIR)/tests/shim/libnodns.so mo

# Translations.
pot: po/$(GETTEXT_PACKAGE).pot
po/$(GETTEXT_PACKAGE).pot: po/POTFILES $(PLUGIN_SRC)
	$(XGETTEXT) --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS: \
	  --package-name=$(PACKAGE) --package-version=$(VERSION) \
	  --msgid-bugs-address= \
	  --files-from=po/POTFILES -o $@
update-po: po/$(GETTEXT_PACKAGE).pot
	@for l in $(LINGUAS); do $(MSGMERGE) --update --backup=none po/$$l.po $<; done
mo: $(MO_FILES)
$(BUILDDIR)/locale/%/LC_MESSAGES/$(GETTEXT_PACKAGE).mo: po/%.po
	@mkdir -p $(dir $@)
	$(say) MSGFMT $@
	$(Q)$(MSGFMT) --check -o $@ $<

# Icons: rendered from the SVG; the PNGs are committed so a build needs no renderer.
icons:
	@for s in $(ICON_SIZES); do mkdir -p data/icons/$$s; \
	  $(RSVG_CONVERT) -w $$s -h $$s -o data/icons/$$s/msnp.png data/icons/scalable/msnp.svg || exit 1; done

# Install.  DESTDIR prefixes every path; uninstall removes exactly these files.
INSTALLED_FILES = $(PLUGINDIR)/libmsnp.so \
  $(foreach s,$(ICON_SIZES),$(PIXMAPSDIR)/$(s)/msnp.png) \
  $(PIXMAPSDIR)/scalable/msnp.svg \
  $(foreach l,$(LINGUAS),$(LOCALEDIR)/$(l)/LC_MESSAGES/$(GETTEXT_PACKAGE).mo)

install: all
	$(INSTALL) -d $(DESTDIR)$(PLUGINDIR)
	$(INSTALL) -m 644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/libmsnp.so
	@for s in $(ICON_SIZES); do \
	  $(INSTALL) -d $(DESTDIR)$(PIXMAPSDIR)/$$s && \
	  $(INSTALL) -m 644 data/icons/$$s/msnp.png $(DESTDIR)$(PIXMAPSDIR)/$$s/msnp.png || exit 1; done
	$(INSTALL) -d $(DESTDIR)$(PIXMAPSDIR)/scalable
	$(INSTALL) -m 644 data/icons/scalable/msnp.svg $(DESTDIR)$(PIXMAPSDIR)/scalable/msnp.svg
	@for l in $(LINGUAS); do \
	  $(INSTALL) -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  $(INSTALL) -m 644 $(BUILDDIR)/locale/$$l/LC_MESSAGES/$(GETTEXT_PACKAGE).mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/$(GETTEXT_PACKAGE).mo || exit 1; done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))

# A per-user install: the plugin into ~/.purple/plugins, translations into the
# user's locale folder (the plugin looks there when loaded from the user folder).
# Pidgin reads protocol icons only from its own data folder: use `make install`
# for the icon.
install-user: all
	$(INSTALL) -d $(USER_PLUGINDIR)
	$(INSTALL) -m 644 $(PLUGIN) $(USER_PLUGINDIR)/libmsnp.so
	@for l in $(LINGUAS); do \
	  $(INSTALL) -d $(USER_LOCALEDIR)/$$l/LC_MESSAGES && \
	  $(INSTALL) -m 644 $(BUILDDIR)/locale/$$l/LC_MESSAGES/$(GETTEXT_PACKAGE).mo \
	    $(USER_LOCALEDIR)/$$l/LC_MESSAGES/$(GETTEXT_PACKAGE).mo || exit 1; done

uninstall-user:
	rm -f $(USER_PLUGINDIR)/libmsnp.so \
	  $(foreach l,$(LINGUAS),$(USER_LOCALEDIR)/$(l)/LC_MESSAGES/$(GETTEXT_PACKAGE).mo)

# Dependencies for check and demo: installed through apt-get when missing (as root
# or with sudo), otherwise the exact package list is printed.
deps-check:
	@sh tests/deps.sh check
deps-demo:
	@sh tests/deps.sh demo

check-build:
	$(MAKE) STRICT=1 BUILDDIR=$(BUILDDIR)/check tests

check: deps-check
	$(MAKE) STRICT=1 BUILDDIR=$(BUILDDIR)/check tests
	@sh tests/run-tests.sh $(BUILDDIR)/check

check-asan: deps-check
	$(MAKE) STRICT=1 SANITIZE=address BUILDDIR=$(BUILDDIR)/asan tests
	@ASAN=1 sh tests/run-tests.sh $(BUILDDIR)/asan

# The conversation tests (VALGRIND_TESTS: the test programs whose name has it)
# under valgrind: fails on a memory error or definite leak in libmsnp.so.
VALGRIND_TESTS ?= conversation
check-valgrind: deps-check
	$(MAKE) STRICT=1 BUILDDIR=$(BUILDDIR)/check tests
	@sh tests/valgrind.sh $(BUILDDIR)/check $(VALGRIND_TESTS)

demo: deps-demo
	$(MAKE) BUILDDIR=$(BUILDDIR) plugin mo $(SERVER) $(PEER)
	@sh tests/demo.sh $(BUILDDIR)

DIST_FILES = Makefile README.md $(wildcard LICENSE COPYING) .ci/run src data po tests

dist:
	rm -rf $(BUILDDIR)/$(PACKAGE)-$(VERSION)
	mkdir -p $(BUILDDIR)/$(PACKAGE)-$(VERSION)
	git ls-files -z $(DIST_FILES) | xargs -0 -I{} cp --parents {} $(BUILDDIR)/$(PACKAGE)-$(VERSION)/
	tar -C $(BUILDDIR) --sort=name --owner=0 --group=0 --numeric-owner \
	  --mtime='2026-01-01 00:00Z' -czf $(PACKAGE)-$(VERSION).tar.gz $(PACKAGE)-$(VERSION)
	@echo "wrote $(PACKAGE)-$(VERSION).tar.gz"

clean:
	rm -rf build $(PACKAGE)-$(VERSION).tar.gz

# `make print-PLUGINDIR` shows a variable (for packagers and the tests).
print-%:
	@echo '$($*)'

-include $(shell find $(BUILDDIR)/obj -name '*.d' 2>/dev/null)
