# SPDX-License-Identifier: GPL-2.0
#
# svmtrace top-level build.  All output goes under build/:
#   build/host/         svmtrace, svmbench, libsvmtrace.a, unit tests built with the host toolchain
#   build/guest-user/   the same built with the guest's toolchain (in its chroot)
#   build/kmod/<kver>/  svm_pagemap.ko for each guest kernel
#   build/guest/        the guest root filesystem, initramfs, console logs
#
# Main targets: all, demo, test, guest-run, kmod, bench, checkpatch, install, clean.
# Variables: KERNEL=6.12 selects trixie's kernel instead of trixie-backports',
# PROFILE=iommu boots with intel-iommu + edu, CMD is what guest-run runs.

SHELL := /bin/bash
REPO := $(CURDIR)
BUILD := build
OUT ?= $(BUILD)/host

.DEFAULT_GOAL := all

# --------------------------------------------------------------------------
# User space (svmtrace, svmbench, unit tests), for one toolchain into $(OUT).
# The host build runs it with OUT=build/host, the guest build in the chroot
# with OUT=build/guest-user.

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
CPPFLAGS += -I$(OUT) -Ibpf -Icli/lib -Iinclude
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror -Iinclude \
	-I$(OUT) -Ibpf $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH))
LIBS_BPF := -lbpf -lelf -lz
LIBS_JSON := -ljson-c
LIBS_HTTP := -lmicrohttpd -lpthread

LIB_SRCS := $(wildcard cli/lib/*.c)
LIB_HDRS := $(wildcard cli/lib/*.h)
SVMTRACE_SRCS := $(wildcard cli/svmtrace/*.c)
SVMBENCH_SRCS := $(wildcard cli/svmbench/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.h)
UAPI_HDRS := $(wildcard include/uapi/*.h)
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

.PHONY: userspace
.SECONDARY:
userspace: $(OUT)/svmtrace $(OUT)/svmtop $(OUT)/svmbench $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

$(OUT)/vmlinux.h:
	@mkdir -p $(@D)
	@test -r /sys/kernel/btf/vmlinux || { echo "no /sys/kernel/btf/vmlinux: the running kernel lacks BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(OUT)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# libsvmtrace.a: cli/lib, the code with no skeleton, libbpf or terminal in
# it, built once for svmtrace and the unit tests.  It needs no BPF
# toolchain, and neither does svmbench: their objects do not wait for
# skeletons.
LIB := $(OUT)/libsvmtrace.a
LIB_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(LIB_SRCS))
$(LIB_OBJS): $(OUT)/obj/%.o: %.c $(LIB_HDRS) $(BPF_HDRS) $(UAPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

SVMTRACE_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(SVMTRACE_SRCS))
$(SVMTRACE_OBJS): $(OUT)/obj/%.o: %.c $(SKELS) $(wildcard cli/svmtrace/*.h) $(LIB_HDRS) $(BPF_HDRS) \
		$(UAPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

SVMBENCH_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(SVMBENCH_SRCS))
$(SVMBENCH_OBJS): $(OUT)/obj/%.o: %.c $(wildcard cli/svmbench/*.h) $(UAPI_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/svmtrace: $(SVMTRACE_OBJS) $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS_BPF) $(LIBS_JSON) $(LIBS_HTTP) -lncurses -lm

$(OUT)/svmtop: $(OUT)/svmtrace
	ln -sf svmtrace $@

$(OUT)/svmbench: $(SVMBENCH_OBJS)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS_JSON) -lpthread -lm

# A unit test links the library; the linker takes the objects it needs.
$(OUT)/tests/%: tests/unit/%.c $(LIB) $(LIB_HDRS) $(SKELS) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB) -o $@ -lcmocka $(LIBS_BPF) $(LIBS_JSON) -lm

# --------------------------------------------------------------------------
# Host and guest orchestration.

.PHONY: all host-setup image kmod guest-user guest-prep guest-run test test-long unit demo bench clean \
	checkpatch install uninstall install-dkms uninstall-dkms

all: host-setup
	$(MAKE) userspace OUT=$(BUILD)/host

host-setup:
	@scripts/host-setup.sh

image:
	@scripts/host-setup.sh vm
	@tests/vm/image.sh ensure

# The module is built inside the guest root filesystem against the selected
# kernel's headers, out of tree under build/kmod/<kver>/src.
kmod: image
	@kver=$$(tests/vm/image.sh kver) && out=$(BUILD)/kmod/$$kver && \
	mkdir -p $$out/src && cp -rp kmod include $$out/src/ && \
	tests/vm/chroot.sh make -C /lib/modules/$$kver/build M=$(REPO)/$$out/src/kmod W=1 modules \
		>$$out/build.log 2>&1 || { cat $$out/build.log; exit 1; }; \
	grep -E 'warning|error' $$out/build.log || true; \
	cp $$out/src/kmod/svm_pagemap.ko $$out/svm_pagemap.ko && \
	if ! cmp -s $$out/svm_pagemap.ko $(BUILD)/guest/rootfs/lib/modules/$$kver/updates/svm_pagemap.ko; then \
		install -D -m 644 $$out/svm_pagemap.ko $(BUILD)/guest/rootfs/lib/modules/$$kver/updates/svm_pagemap.ko && \
		tests/vm/chroot.sh depmod $$kver; fi; \
	echo "built $$out/svm_pagemap.ko"

# checkpatch.pl --strict and kernel-doc from the guest kernel's linux-source
# package (fetched once into the cache by tests/vm/kscripts.sh).
KMOD_CHECK_SRCS := $(wildcard kmod/*.[ch]) $(UAPI_HDRS)
checkpatch:
	@d=$$(tests/vm/kscripts.sh dir) && \
	perl $$d/scripts/checkpatch.pl --strict --no-tree -f $(KMOD_CHECK_SRCS) && \
	python3 $$d/scripts/kernel-doc -none -Wall -Werror $(KMOD_CHECK_SRCS)

guest-user: image
	@tests/vm/chroot.sh make -C $(REPO) userspace OUT=$(BUILD)/guest-user CC=gcc \
		>$(BUILD)/guest-user.log 2>&1 || { cat $(BUILD)/guest-user.log; exit 1; }

guest-prep: kmod guest-user

# make guest-run CMD='...' [PROFILE=plain|iommu] [KERNEL=6.12] [MODPARAMS='...'] [LOAD=0]
# Checked when make reads this file, before guest-prep builds anything.
ifneq ($(filter guest-run,$(MAKECMDGOALS)),)
ifeq ($(strip $(value CMD)),)
$(error usage: make guest-run CMD='command' [PROFILE=iommu] [KERNEL=6.12])
endif
endif
guest-run: guest-prep
	@tests/vm/run.sh $(if $(filter 0,$(LOAD)),-n) -p $(or $(PROFILE),plain) -- '$(subst ','\'',$(value CMD))'

unit: all
	@tests/run-tests.sh --host-only

test: all image
	@tests/run-tests.sh

# What make test leaves to CI: the in-guest dkms build, repeated contention,
# the long ioctl fuzz, and each suite in the profile make test runs it once
# outside of (see README, "Tests").
test-long: all image
	@tests/run-tests.sh --long

demo: all
	@scripts/demo.sh

include tests/fuzz/fuzz.mk

# Figures, not tests: written to build/bench/results-<kernel>-<profile>.json.
# BENCH_ROUNDS 2 MiB round trips per window, BENCH_PAIRS passes over the
# configurations (scripts/bench-guest.sh); BENCH_KEEP=1 keeps the raw
# snapshots beside the results.
BENCH_ROUNDS ?= 60
BENCH_PAIRS ?= 4
BENCH_KEEP ?=
# Then a second guest run behind intel-iommu (scripts/bench-map-path.sh):
# the map stage of the IOVA path against the page path, BENCH_MAP_ROUNDS
# 2 MiB round trips per configuration, into map-path-<kernel>-iommu.json.
BENCH_MAP_ROUNDS ?= 30
bench: guest-prep
	@mkdir -p $(BUILD)/bench
	@scripts/bench-report.sh $(BUILD)/bench/report-$$(hostname -s).json
	@tests/vm/run.sh -p $(or $(PROFILE),plain) -l bench -- \
		env BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_PAIRS=$(BENCH_PAIRS) BENCH_KEEP=$(BENCH_KEEP) \
		bash scripts/bench-guest.sh $(REPO)/$(BUILD)/bench/results-$(or $(KERNEL),backports)-$(or $(PROFILE),plain).json
	@tests/vm/run.sh -p iommu -l bench-map -- \
		env BENCH_MAP_ROUNDS=$(BENCH_MAP_ROUNDS) \
		bash scripts/bench-map-path.sh $(REPO)/$(BUILD)/bench/map-path-$(or $(KERNEL),backports)-iommu.json

# svmtrace hist's BPF run time per migration for several builds, one guest
# run (scripts/bench-variants.sh): VARIANTS='NAME=REV ...', REV a git
# revision, or "." for the working tree.  Each revision is checked out under
# build/variants/src-NAME and built with the guest's toolchain; figures go to
# build/bench/variants.json.
VARIANTS ?= base=HEAD new=.
.PHONY: bench-variants
bench-variants: guest-prep
	@mkdir -p $(BUILD)/bench $(BUILD)/variants && set -e && dirs= && \
	for v in $(VARIANTS); do name=$${v%%=*}; rev=$${v#*=}; src=$(REPO); \
		if [ "$$rev" != . ]; then src=$(REPO)/$(BUILD)/variants/src-$$name; rm -rf $$src; \
			mkdir -p $$src && git archive "$$rev" | tar -x -C $$src; fi; \
		tests/vm/chroot.sh make -C $$src userspace OUT=$(REPO)/$(BUILD)/variants/$$name CC=gcc \
			>$(BUILD)/variants/$$name.log 2>&1 || { cat $(BUILD)/variants/$$name.log; exit 1; }; \
		dirs="$$dirs $$name=$(REPO)/$(BUILD)/variants/$$name"; done && \
	tests/vm/run.sh -p $(or $(PROFILE),plain) -t 1500 -l variants -- \
		env VARIANT_ROUNDS=$(or $(VARIANT_ROUNDS),40) VARIANT_PASSES=$(or $(VARIANT_PASSES),6) \
		bash scripts/bench-variants.sh $(REPO)/$(BUILD)/bench/variants.json $$dirs

# Rewrite the committed latency baseline the CI gate compares against
# (tests/guest/svmtrace_gate.sh), measured on this machine: PROFILE=plain|iommu.
.PHONY: gate-baseline
gate-baseline: guest-prep
	@tests/vm/run.sh -p $(or $(PROFILE),plain) -l gate-baseline -- \
		build/guest-user/svmtrace gate --write-baseline tests/baseline/migrate-2M-$(or $(PROFILE),plain).json \
		-- build/guest-user/svmbench -s 2M -n 20 roundtrip

# --------------------------------------------------------------------------
# Installation of what build/host holds:
#   make install [PREFIX=/usr/local] [DESTDIR=staging dir]
#   make install-dkms [DESTDIR=...]   module sources for dkms in /usr/src
# svmtrace needs root, so it goes to sbin; man pages are installed by glob so
# that every subcommand's page in man/ comes along.

PREFIX ?= /usr/local
VERSION := $(shell cat VERSION)
DKMS_NAME := svm-pagemap
DKMS_SRC = $(DESTDIR)/usr/src/$(DKMS_NAME)-$(VERSION)
DASHBOARD_FILES := $(shell test -d dashboards && find dashboards -type f | sort)

install: $(OUT)/svmtrace $(OUT)/svmbench
	install -D -m 755 $(OUT)/svmtrace $(DESTDIR)$(PREFIX)/sbin/svmtrace
	ln -sfn svmtrace $(DESTDIR)$(PREFIX)/sbin/svmtop
	install -D -m 755 $(OUT)/svmbench $(DESTDIR)$(PREFIX)/bin/svmbench
	install -d $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/include
	install -m 644 $(UAPI_HDRS) $(DESTDIR)$(PREFIX)/include/
	$(foreach f,$(DASHBOARD_FILES),install -D -m 644 $(f) $(DESTDIR)$(PREFIX)/share/svmtrace/$(f) &&) true

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/svmtrace $(DESTDIR)$(PREFIX)/sbin/svmtop \
		$(DESTDIR)$(PREFIX)/bin/svmbench \
		$(patsubst include/uapi/%,$(DESTDIR)$(PREFIX)/include/%,$(UAPI_HDRS)) \
		$(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man8/%,$(wildcard man/*.8)) \
		$(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(wildcard man/*.1))
	rm -rf $(DESTDIR)$(PREFIX)/share/svmtrace

# The dkms tree keeps the repository's layout (kmod/ beside include/uapi/),
# so kmod/Kbuild's include path works unchanged; dkms.conf goes to its top.
install-dkms:
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi
	install -m 644 kmod/Kbuild kmod/Makefile $(wildcard kmod/*.c kmod/*.h) $(DKMS_SRC)/kmod/
	install -m 644 $(UAPI_HDRS) $(DKMS_SRC)/include/uapi/
	sed 's/@VERSION@/$(VERSION)/' kmod/dkms.conf > $(DKMS_SRC)/dkms.conf
	@echo "installed $(DKMS_SRC); next: dkms install $(DKMS_NAME)/$(VERSION)"

uninstall-dkms:
	rm -rf $(DKMS_SRC)

clean:
	rm -rf $(BUILD)/host $(BUILD)/guest-user $(BUILD)/kmod $(BUILD)/kmod-check $(BUILD)/guest/logs $(BUILD)/guest/runs $(BUILD)/test-results
