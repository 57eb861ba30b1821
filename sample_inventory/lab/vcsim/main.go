// Command vcsim serves govmomi's vCenter simulator over HTTPS for migrate's local lab and tests.
//
// Debian ships govmomi's simulator package but no vcsim command, so this small main is built
// from that source (GO111MODULE=off GOPATH=/usr/share/gocode). It prints the SDK URL on stdout
// once listening and serves until it receives SIGTERM or SIGINT.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "listen address")
	username := flag.String("username", "", "the only user accepted (any user when empty)")
	datacenters := flag.Int("dc", 0, "datacenters to create")
	clusters := flag.Int("cluster", 0, "clusters per datacenter")
	clusterHosts := flag.Int("host", 0, "hosts per cluster")
	standaloneHosts := flag.Int("standalone-host", 0, "standalone hosts per datacenter")
	machines := flag.Int("vm", 0, "VMs per resource pool")
	datastores := flag.Int("ds", 0, "local datastores")
	portgroups := flag.Int("pg", 0, "distributed portgroups per datacenter")
	certOut := flag.String("cert-out", "", "write the server's self-signed certificate (PEM) here")
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
		// From the environment, not a flag: a command line is readable by every user of the machine.
		model.Service.Listen.User = url.UserPassword(*username, os.Getenv("VCSIM_PASSWORD"))
	}
	// httptest's built-in certificate has a 1024-bit key, which OpenSSL's default security level
	// refuses; a fresh P-256 certificate for the loopback names lets clients verify it properly.
	certificate, err := selfSigned(*certOut)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: cannot make a certificate:", err)
		os.Exit(1)
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{certificate}}
	server := model.Service.NewServer()
	fmt.Println(server.URL.String())

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
	server.Close()
	model.Remove()
}

func selfSigned(pemPath string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "vcsim.migrate.lab"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", "vcsim.migrate.lab"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if pemPath != "" {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if err := os.WriteFile(pemPath, block, 0o644); err != nil {
			return tls.Certificate{}, err
		}
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
