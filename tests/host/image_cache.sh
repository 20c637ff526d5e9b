# SPDX-License-Identifier: GPL-2.0
# The image cache's validity check on a scratch cache directory: a missing
# stamp, a tarball shorter than its stamp says (a truncated download or a
# full disk) and a stamp without its tarball must all send ensure to a
# rebuild; only a complete pair is used.

cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
key=$(bash -c '. tests/vm/lib.sh; svm_image_key')
status() { SVMTRACE_CACHE=$cache tests/vm/image.sh status; }

t_eq "empty cache is missing" missing "$(status)"

head -c 4096 /dev/urandom >"$cache/rootfs-$key.tar.zst"
t_eq "tarball without stamp is incomplete" incomplete "$(status)"

printf 'KEY=%s\nSIZE=4096\n' "$key" >"$cache/rootfs-$key.stamp"
t_eq "tarball matching its stamp is valid" valid "$(status)"

truncate -s 1000 "$cache/rootfs-$key.tar.zst"
t_eq "truncated tarball is incomplete" incomplete "$(status)"

rm "$cache/rootfs-$key.tar.zst"
t_eq "stamp without tarball is incomplete" incomplete "$(status)"

printf 'KEY=%s\n' "$key" >"$cache/rootfs-$key.stamp"
: >"$cache/rootfs-$key.tar.zst"
t_eq "stamp without a size is incomplete" incomplete "$(status)"

# The key follows the package list: a changed list must not reuse the image.
other=$(sed 's/^zstd$/zstd-changed/' tests/vm/packages.txt | sha256sum)
t_run "package list is part of the key" bash -c "grep -q '^zstd$' tests/vm/packages.txt && [ '$(sha256sum <tests/vm/packages.txt)' != '$other' ]"
