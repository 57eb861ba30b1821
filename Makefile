# Two entry points, both for a fresh Debian machine: `make demo` and `make test`.
# Each installs what it needs (Debian packages as root, then the project into .venv/).

VENV := .venv
PYTHON := $(VENV)/bin/python
# vcsim is built from govmomi's Go source; PostgreSQL, OpenSSH and qemu-img are the real services the tests use.
# The guest test bed (lab/guest/, tests/guest/) builds a real Debian guest (mmdebstrap, e2fsprogs, fdisk, libguestfs
# with a host kernel for its appliance), boots it (qemu-system-x86, ovmf) and converts it (virt-v2v needs nbdkit).
APT_PACKAGES := python3-venv golang-go golang-github-vmware-govmomi-dev postgresql openssh-server openssh-client \
	qemu-utils qemu-block-extra ca-certificates util-linux chromium \
	qemu-system-x86 ovmf virt-v2v libguestfs-tools nbdkit mmdebstrap debian-archive-keyring linux-image-amd64 \
	e2fsprogs fdisk

.PHONY: demo test install system-packages clean

demo: install
	$(PYTHON) -m lab.demo

test: install
	$(VENV)/bin/lint-imports --no-cache
	$(PYTHON) -m pytest

install: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" -ne 0 ]; then echo "install these Debian packages first (as root): $$missing" >&2; exit 1; fi; \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .cache demo
