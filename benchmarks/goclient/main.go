// Command goclient is the Go baseline of benchmarks/discovery.py: the same RetrievePropertiesEx over
// every VM of a ContainerView, with the pathSet given as arguments, decoded by govmomi into
// []mo.VirtualMachine. Built from Debian's govmomi source (GO111MODULE=off GOPATH=/usr/share/gocode).
//
// Usage: MIGRATE_VCENTER_PASSWORD=... goclient -url https://user@127.0.0.1:PORT/sdk -ca-file vcsim-ca.pem PATH...
// It prints one JSON line: login and retrieval seconds, round trips of the retrieval, VMs, peak RSS
// (VmHWM) and CPU seconds of the whole process.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// counter counts the SOAP calls (one HTTP request each) that go through it.
type counter struct {
	next  soap.RoundTripper
	calls int
}

func (c *counter) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	c.calls++
	return c.next.RoundTrip(ctx, req, res)
}

type result struct {
	LoginSeconds    float64 `json:"login_seconds"`
	Seconds         float64 `json:"seconds"`
	RoundTrips      int     `json:"round_trips"`
	VMs             int     `json:"vms"`
	Devices         int     `json:"devices"`
	PeakRSSKilobyte int64   `json:"peak_rss_kb"`
	CPUSeconds      float64 `json:"cpu_seconds"`
}

func main() {
	rawURL := flag.String("url", "", "the SDK URL, with the user (the password comes from MIGRATE_VCENTER_PASSWORD)")
	caFile := flag.String("ca-file", "", "the server's CA certificate (PEM)")
	pageSize := flag.Int("page-size", 500, "maxObjects per RetrievePropertiesEx page")
	flag.Parse()
	paths := flag.Args()
	if *rawURL == "" || len(paths) == 0 {
		fmt.Fprintln(os.Stderr, "usage: goclient -url URL -ca-file PEM PATH...")
		os.Exit(2)
	}
	if err := run(*rawURL, *caFile, *pageSize, paths); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

func run(rawURL, caFile string, pageSize int, paths []string) error {
	ctx := context.Background()
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	u.User = url.UserPassword(u.User.Username(), os.Getenv("MIGRATE_VCENTER_PASSWORD"))
	started := time.Now()
	sc := soap.NewClient(u, false)
	if caFile != "" {
		if err := sc.SetRootCAs(caFile); err != nil {
			return err
		}
	}
	client, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return err
	}
	if err := session.NewManager(client).Login(ctx, u.User); err != nil {
		return err
	}
	loginSeconds := time.Since(started).Seconds()

	started = time.Now()
	rt := &counter{next: client}
	vms, err := retrieve(ctx, rt, client.ServiceContent, pageSize, paths)
	if err != nil {
		return err
	}
	seconds := time.Since(started).Seconds()

	devices := 0
	for _, vm := range vms {
		if vm.Config != nil {
			devices += len(vm.Config.Hardware.Device)
		}
	}
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	peak, err := peakRSS()
	if err != nil {
		return err
	}
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano()).Seconds()
	return json.NewEncoder(os.Stdout).Encode(result{
		LoginSeconds: loginSeconds, Seconds: seconds, RoundTrips: rt.calls,
		VMs: len(vms), Devices: devices, PeakRSSKilobyte: peak, CPUSeconds: cpu,
	})
}

// peakRSS is this process's own peak resident set (VmHWM) in KiB. Rusage.Maxrss is not used: on
// Linux it starts at the parent's peak at fork time, which the kernel carries across exec.
func peakRSS() (int64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmHWM:" {
			return strconv.ParseInt(fields[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// retrieve is ContainerView + RetrievePropertiesEx (+ ContinueRetrievePropertiesEx) + DestroyView.
func retrieve(ctx context.Context, rt soap.RoundTripper, sc types.ServiceContent, pageSize int, paths []string) ([]mo.VirtualMachine, error) {
	view, err := methods.CreateContainerView(ctx, rt, &types.CreateContainerView{
		This: *sc.ViewManager, Container: sc.RootFolder, Type: []string{"VirtualMachine"}, Recursive: true,
	})
	if err != nil {
		return nil, err
	}
	defer methods.DestroyView(ctx, rt, &types.DestroyView{This: view.Returnval})

	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:  view.Returnval,
			Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{
				SelectionSpec: types.SelectionSpec{Name: "traverseView"},
				Type:          "ContainerView", Path: "view", Skip: types.NewBool(false),
			}},
		}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", All: types.NewBool(false), PathSet: paths}},
	}
	res, err := methods.RetrievePropertiesEx(ctx, rt, &types.RetrievePropertiesEx{
		This: sc.PropertyCollector, SpecSet: []types.PropertyFilterSpec{spec},
		Options: types.RetrieveOptions{MaxObjects: int32(pageSize)},
	})
	if err != nil {
		return nil, err
	}
	var vms []mo.VirtualMachine
	result := res.Returnval
	for result != nil {
		var page []mo.VirtualMachine
		if err := mo.LoadObjectContent(result.Objects, &page); err != nil {
			return nil, err
		}
		vms = append(vms, page...)
		if result.Token == "" {
			break
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, rt, &types.ContinueRetrievePropertiesEx{
			This: sc.PropertyCollector, Token: result.Token,
		})
		if err != nil {
			return nil, err
		}
		result = &next.Returnval
	}
	return vms, nil
}
