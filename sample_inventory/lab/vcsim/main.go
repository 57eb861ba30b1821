// Command vcsim serves govmomi's vCenter simulator over HTTPS for migrate's local lab and tests.
//
// Debian ships govmomi's simulator package but no vcsim command, so this small main is built
// from that source (GO111MODULE=off GOPATH=/usr/share/gocode). It prints the SDK URL on stdout
// once listening and serves until it receives SIGTERM or SIGINT.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address")
	username := flag.String("username", "", "the only user accepted (any user when empty)")
	password := flag.String("password", "", "that user's password")
	datacenters := flag.Int("dc", 0, "datacenters to create")
	clusters := flag.Int("cluster", 0, "clusters per datacenter")
	clusterHosts := flag.Int("host", 0, "hosts per cluster")
	standaloneHosts := flag.Int("standalone-host", 0, "standalone hosts per datacenter")
	machines := flag.Int("vm", 0, "VMs per resource pool")
	datastores := flag.Int("ds", 0, "local datastores")
	portgroups := flag.Int("pg", 0, "distributed portgroups per datacenter")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter = *datacenters
	model.Cluster = *clusters
	model.ClusterHost = *clusterHosts
	model.Host = *standaloneHosts
	model.Machine = *machines
	model.Datastore = *datastores
	model.Portgroup = *portgroups
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: cannot create the model:", err)
		os.Exit(1)
	}

	model.Service.Listen = &url.URL{Host: *listen}
	if *username != "" {
		model.Service.Listen.User = url.UserPassword(*username, *password)
	}
	model.Service.TLS = new(tls.Config)
	server := model.Service.NewServer()
	fmt.Println(server.URL.String())

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
	server.Close()
	model.Remove()
}
