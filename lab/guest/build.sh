#!/bin/sh
# Build a small Debian 12 guest disk "as installed on VMware" into $1/disk.vmdk: a kernel, grub (BIOS), ifupdown
# with a static address on ens192 (the VMXNET3 NIC's name), open-vm-tools, qemu-guest-agent (idle without its
# VirtIO port), and an initramfs holding only the VMware drivers (MODULES=list), as a host-only initramfs built
# on VMware would. Needs root, mmdebstrap, e2fsprogs, fdisk, guestfish and qemu-img; no loop device.
# Every input of the image is in this directory: lab/guest_image.py keys the cache on their digest.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "$out/work.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
# A fixed UUID: fstab names it, and grub's config finds the root by it.
root_uuid=5d1b0a8e-6f43-4d0c-9b1e-3c2a7f0e9d11
size_mib=1536

mmdebstrap --mode=root --variant=minbase --skip=check/empty \
	--aptopt='APT::Install-Recommends "false"' \
	--include=linux-image-amd64,grub-pc,systemd-sysv,udev,kmod,ifupdown,iproute2,open-vm-tools,qemu-guest-agent,initramfs-tools \
	--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" && echo MODULES=list > "$1/etc/initramfs-tools/conf.d/vmware-only.conf"' \
	--customize-hook="sync-in '$here/overlay' /" \
	--customize-hook="echo 'UUID=$root_uuid / ext4 errors=remount-ro 0 1' > \"\$1/etc/fstab\"" \
	--customize-hook='chroot "$1" systemctl enable migrate-boot-marker.service' \
	--customize-hook='chroot "$1" update-initramfs -u -k all' \
	--customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages' \
	bookworm "$work/root" http://deb.debian.org/debian

# One partition from 1 MiB, its file system made from the tree (no loop device, no mount).
truncate -s ${size_mib}M "$work/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk --quiet "$work/disk.raw"
mkfs.ext4 -q -F -U "$root_uuid" -L root -d "$work/root" "$work/root.ext4" $((size_mib - 1))M
dd if="$work/root.ext4" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none

# grub into the MBR from inside the guest's own tree, in libguestfs's appliance (TCG: KVM guests hang here).
# A probe in a fresh appliance sometimes misses /dev/sda1 ("cross-disk install"; udevadm settle is refused in the
# chroot), the more so on a loaded machine: up to five tries, a few seconds apart.
LIBGUESTFS_BACKEND_SETTINGS=force_tcg guestfish --rw -a "$work/disk.raw" -m /dev/sda1 <<'GF'
command "sh -c 'for try in 1 2 3 4 5; do grub-install --target=i386-pc /dev/sda && exit 0; sleep 3; done; exit 1'"
command "update-grub"
GF

qemu-img convert -f raw -O vmdk -o subformat=monolithicSparse,adapter_type=lsilogic "$work/disk.raw" "$out/disk.vmdk.part"
mv "$out/disk.vmdk.part" "$out/disk.vmdk"
