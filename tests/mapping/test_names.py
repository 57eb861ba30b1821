import pytest
from hypothesis import given
from hypothesis import strategies as st

from migrate.mapping.names import assign_names, is_valid_name, proxmox_name
from tests.readiness.factories import make_vm


@pytest.mark.parametrize(
    ("vcenter", "proxmox"),
    [
        ("app01", "app01"),
        ("SQL Server_01", "sql-server-01"),
        ("Café Überweb", "cafe-uberweb"),
        ("-web--01-", "web-01"),
        ("db.prod.example.com", "db.prod.example.com"),
        ("a..b", "a.b"),
        ("web/01 (old)", "web-01-old"),
        ("日本語", "vm"),
        ("x" * 80, "x" * 63),
    ],
)
def test_proxmox_name_is_a_valid_dns_name(vcenter, proxmox):
    assert proxmox_name(vcenter) == proxmox
    assert is_valid_name(proxmox)


def test_assign_names_makes_names_unique_against_each_other_and_the_target():
    vms = [make_vm(name="Web 01", moref="vm-2"), make_vm(name="web_01", moref="vm-1"), make_vm(name="db", moref="vm-3")]
    names = assign_names(vms, existing={"DB"})
    assert names == {"vm-2": "web-01", "vm-1": "web-01-2", "vm-3": "db-2"}


def test_assign_names_does_not_depend_on_discovery_order():
    vms = [make_vm(name=f"web {i % 3}", moref=f"vm-{i}") for i in range(9)]
    assert assign_names(vms) == assign_names(list(reversed(vms)))


def test_pinned_names_are_reserved_first():
    vms = [make_vm(name="a", moref="vm-1"), make_vm(name="b", moref="vm-2")]
    assert assign_names(vms, pinned={"b": "a"}) == {"vm-2": "a", "vm-1": "a-2"}


@given(st.text(max_size=120))
def test_any_vcenter_name_becomes_a_valid_proxmox_name(vcenter):
    assert is_valid_name(proxmox_name(vcenter))


@given(st.lists(st.text(max_size=20), max_size=30), st.sets(st.text(max_size=20), max_size=10))
def test_assigned_names_are_always_unique_and_valid(names, existing):
    vms = [make_vm(name=name, moref=f"vm-{i}") for i, name in enumerate(names)]
    assigned = list(assign_names(vms, existing).values())
    assert len(set(assigned)) == len(assigned)
    assert not {name.lower() for name in existing} & set(assigned)
    assert all(is_valid_name(name) for name in assigned)
