#!/bin/sh
# Generates the malformed executables bad_input.sh feeds to runsc, in $1:
#   truncated_elf  the first 100 bytes of /bin/true (headers cut short)
#   foreign_elf    /bin/true with e_machine (offset 18) patched to 0x28, ARM
set -eu
dir=$1
mkdir -p "$dir"

head -c 100 /bin/true >"$dir/truncated_elf.tmp"
chmod 755 "$dir/truncated_elf.tmp"
mv -f "$dir/truncated_elf.tmp" "$dir/truncated_elf"

cp /bin/true "$dir/foreign_elf.tmp"
printf '\050\000' | dd of="$dir/foreign_elf.tmp" bs=1 seek=18 count=2 conv=notrunc 2>/dev/null
chmod 755 "$dir/foreign_elf.tmp"
mv -f "$dir/foreign_elf.tmp" "$dir/foreign_elf"
