"""Choosing how to read a VMDK over HTTPS from its first bytes: real qemu-img output and vSphere descriptors."""

from __future__ import annotations

import pytest

from migrate.execution.vmdk_descriptor import UnsupportedOverHttpsError, https_read, parse_descriptor
from tests.support.vmdk import MIB, make_vmdk

VSPHERE_THIN = b'''# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="vmfs"

# Extent description
RW 83886080 VMFS "web 01-flat.vmdk"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.thinProvisioned = "1"
'''

SNAPSHOT_DELTA = b'''# Disk DescriptorFile
version=1
CID=a1b2c3d4
parentCID=fffffffe
createType="vmfsSparse"
parentFileNameHint="web01.vmdk"
RW 83886080 VMFSSPARSE "web01-000001-delta.vmdk"
'''


def test_a_vsphere_descriptor_is_read_through_its_flat_extent_with_the_raw_driver():
    read = https_read("web 01/web 01.vmdk", VSPHERE_THIN)
    assert (read.path, read.flat, read.size) == ("web 01/web 01-flat.vmdk", True, 40 * 1024 ** 3)


def test_a_snapshot_delta_is_refused_naming_the_fix():
    with pytest.raises(UnsupportedOverHttpsError, match="consolidate"):
        https_read("web01/web01-000001.vmdk", SNAPSHOT_DELTA)


@pytest.mark.parametrize("subformat, flat", [("monolithicSparse", False), ("streamOptimized", False),
                                             ("monolithicFlat", True)])
def test_qemu_img_vmdks_readable_over_https(subformat, flat, small_raw, tmp_path):
    vmdk = make_vmdk(small_raw, tmp_path / "d.vmdk", subformat)
    read = https_read("vm/d.vmdk", vmdk.read_bytes()[:65536])
    assert read.flat is flat
    assert read.path == ("vm/d-flat.vmdk" if flat else "vm/d.vmdk")
    if flat:
        assert read.size == 64 * MIB


@pytest.mark.parametrize("subformat", ["twoGbMaxExtentSparse", "twoGbMaxExtentFlat"])
def test_split_extents_are_refused_pointing_to_the_mounted_transport(subformat, big_raw, tmp_path):
    vmdk = make_vmdk(big_raw, tmp_path / "d.vmdk", subformat)
    with pytest.raises(UnsupportedOverHttpsError, match="node-mounted transport"):
        https_read("vm/d.vmdk", vmdk.read_bytes()[:65536])


def test_something_that_is_no_vmdk_is_refused():
    with pytest.raises(UnsupportedOverHttpsError):
        https_read("vm/d.vmdk", b"<html>404</html>")


def test_extent_names_with_spaces_and_quotes_are_parsed():
    _, extents = parse_descriptor('createType="monolithicFlat"\nRW 8 FLAT "a b\'c-flat.vmdk" 0\n')
    assert extents[0].filename == "a b'c-flat.vmdk" and extents[0].sectors == 8
