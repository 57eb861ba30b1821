"""Harvesting managed objects with the PropertyCollector: one ContainerView, RetrievePropertiesEx, paged.

The number of round trips grows with the number of pages, never with the number of VMs. A real
vCenter may cap a page below `max_objects`, so the loop always follows the continuation token.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Iterator, Sequence

from pyVmomi import vim

from migrate.clients.vsphere.connection import VsphereConnection, network_error
from migrate.clients.vsphere.soap import (
    ObjectContent,
    PropertySpec,
    ResultReader,
    continue_request,
    raise_fault,
    read_response,
    retrieve_request,
    single_object,
    view_objects,
)
from migrate.errors import SourceProtocolError

PAGE_SIZE = 500

# The managed object types a ContainerView can list, by their WSDL names.
_VIEW_TYPES = {
    "VirtualMachine": vim.VirtualMachine,
    "HostSystem": vim.HostSystem,
    "ComputeResource": vim.ComputeResource,
    "ClusterComputeResource": vim.ClusterComputeResource,
    "Datacenter": vim.Datacenter,
    "Folder": vim.Folder,
    "ResourcePool": vim.ResourcePool,
    "Datastore": vim.Datastore,
    "Network": vim.Network,
    "DistributedVirtualPortgroup": vim.dvs.DistributedVirtualPortgroup,
    "DistributedVirtualSwitch": vim.DistributedVirtualSwitch,
    "OpaqueNetwork": vim.OpaqueNetwork,
}


class Collector:
    """Runs PropertyCollector retrievals over one HTTPS connection and counts the round trips."""

    def __init__(self, connection: VsphereConnection, page_size: int = PAGE_SIZE) -> None:
        self.connection = connection
        self.page_size = page_size
        self.round_trips = 0
        self._http: http.client.HTTPSConnection | None = None

    def retrieve(self, specs: Sequence[PropertySpec]) -> Iterator[ObjectContent]:
        """Every object of the given types in the whole inventory, with the requested properties."""
        content = self.connection.content
        view = content.viewManager.CreateContainerView(
            content.rootFolder, [_VIEW_TYPES[s.type] for s in specs], True
        )
        self.round_trips += 1
        try:
            yield from self._retrieve(view_objects(view._moId), specs)
        finally:
            self._destroy(view)

    def retrieve_one(self, type_name: str, moref: str, paths: Sequence[str]) -> dict:
        """The requested properties of one managed object; unset properties are left out."""
        for obj in self._retrieve(single_object(type_name, moref), [PropertySpec(type_name, paths)]):
            return obj.props
        return {}

    def _retrieve(self, object_set: str, specs: Sequence[PropertySpec]) -> Iterator[ObjectContent]:
        collector = self.connection.content.propertyCollector._moId
        token = yield from self._exchange(retrieve_request(collector, object_set, specs, self.page_size))
        while token:
            token = yield from self._exchange(continue_request(collector, token))

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _exchange(self, body: bytes) -> Iterator[ObjectContent]:
        """Send one request and stream its objects; returns the continuation token, if any."""
        endpoint = self.connection.endpoint
        reader = ResultReader()
        try:
            response = self._post(body)
            if response.status not in (200, 500):
                raise SourceProtocolError(f"vCenter {endpoint.name} answered HTTP {response.status} {response.reason}")
            yield from read_response(response, reader)
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            self.close()
            raise network_error(endpoint, exc) from exc
        if reader.fault is not None:
            raise_fault(reader.fault, endpoint.name)
        return reader.token

    def _post(self, body: bytes) -> http.client.HTTPResponse:
        if self._http is None:
            self._http = self.connection.open_http()
        self.round_trips += 1
        self._http.request("POST", "/sdk", body, headers={
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": self.connection.soap_action,
            "Cookie": self.connection.session_cookie,
            "Accept-Encoding": "gzip",
        })
        return self._http.getresponse()

    def _destroy(self, view: vim.view.ContainerView) -> None:
        try:
            view.Destroy()
            self.round_trips += 1
        except Exception:  # noqa: BLE001  (a lost session must not hide the error that ended the retrieval)
            pass
