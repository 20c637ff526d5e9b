# SPDX-License-Identifier: GPL-2.0
# make install / uninstall / install-dkms into a staging DESTDIR: exactly the
# expected tree, binaries that run, man pages that render without a warning,
# and nothing left behind by uninstall.

dest=$(mktemp -d /tmp/svmtrace-install.XXXXXX)
ver=$(cat VERSION)

# tree DIR: every file and symlink under DIR, relative, sorted.
tree() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }

t_run "make install DESTDIR PREFIX=/usr" make --no-print-directory install DESTDIR="$dest" PREFIX=/usr

expected=$(
	printf '%s\n' usr/sbin/svmtrace usr/sbin/svmtop usr/bin/svmbench
	for h in include/uapi/*.h; do echo "usr/include/${h#include/uapi/}"; done
	for m in man/*.8; do echo "usr/share/man/man8/${m#man/}"; done
	for m in man/*.1; do echo "usr/share/man/man1/${m#man/}"; done
	if [ -d dashboards ]; then
		find dashboards -type f | sed 's|^|usr/share/svmtrace/|'
	fi
)
t_eq "make install lays exactly the expected tree" "$(sort <<<"$expected")" "$(tree "$dest")"
for page in usr/share/man/man8/svmtrace.8 usr/share/man/man8/svmtop.8 usr/share/man/man1/svmbench.1; do
	if [ -f "$dest/$page" ]; then t_pass "$page is installed"; else t_fail "$page is installed" "missing"; fi
done
t_eq "svmtop is a symlink to svmtrace" svmtrace "$(readlink "$dest/usr/sbin/svmtop")"
t_eq "svmtrace is executable (0755)" 755 "$(stat -c %a "$dest/usr/sbin/svmtrace")"
t_eq "man pages are 0644" 644 "$(stat -c %a "$dest/usr/share/man/man8/svmtrace.8")"

t_grep "installed svmtrace --help lists its commands" '^  report ' "$("$dest/usr/sbin/svmtrace" --help 2>&1)"
t_grep "installed svmtop --help is svmtop's" 'Live monitor' "$("$dest/usr/sbin/svmtop" --help 2>&1)"
t_grep "installed svmbench --help lists its scenarios" '^  roundtrip ' "$("$dest/usr/bin/svmbench" --help 2>&1)"

# Every page renders without a warning (-ww) and names each subcommand or scenario.
for page in "$dest"/usr/share/man/man*/*; do
	name=${page#"$dest"/usr/share/man/}
	out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ -z "$out" ]; then t_pass "$name renders without warnings"; else t_fail "$name renders without warnings" "$out"; fi
done
text=$(LC_ALL=C MANWIDTH=100 man -l "$dest/usr/share/man/man8/svmtrace.8" 2>/dev/null)
for cmd in hist record report top stat; do
	t_grep "svmtrace(8) documents '$cmd'" "^   $cmd\$" "$text"
done
for flag in --perf-script --partial --max-keys --pingpong-k --buffer --by --fine --log2 --table --raw-tp; do
	t_grep "svmtrace(8) documents $flag" "$flag" "$text"
done
text=$(LC_ALL=C MANWIDTH=100 man -l "$dest/usr/share/man/man1/svmbench.1" 2>/dev/null)
for sc in $("$dest/usr/bin/svmbench" --help | sed -n '/^Scenarios:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
	t_grep "svmbench(1) documents scenario '$sc'" "^       $sc\b|, $sc\b|^       [a-z]+, $sc\b" "$text"
done

t_run "make uninstall" make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr
t_eq "make uninstall leaves no file behind" "" "$(tree "$dest")"

t_run "make install-dkms" make --no-print-directory install-dkms DESTDIR="$dest"
src=$dest/usr/src/svm-pagemap-$ver
t_grep "dkms.conf has the version from VERSION" "^PACKAGE_VERSION=\"$ver\"\$" "$(cat "$src/dkms.conf" 2>&1)"
t_grep "dkms.conf builds svm_pagemap" '^BUILT_MODULE_NAME\[0\]="svm_pagemap"$' "$(cat "$src/dkms.conf" 2>&1)"
t_eq "the dkms tree holds the module sources and the uapi headers" \
	"$( (echo dkms.conf; ls include/uapi/*.h; cd kmod && ls Kbuild Makefile ./*.c ./*.h | sed 's|^\./||; s|^|kmod/|') | sort)" \
	"$(tree "$src")"
t_run "make uninstall-dkms" make --no-print-directory uninstall-dkms DESTDIR="$dest"
t_eq "make uninstall-dkms leaves no file behind" "" "$(tree "$dest")"
rm -rf "$dest"
