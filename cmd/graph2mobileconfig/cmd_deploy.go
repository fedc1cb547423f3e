package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// envMDMAPIKey may hold the MDM server's API key; like passwords, it is never
// taken from a flag value.
const envMDMAPIKey = "GRAPH2MOBILECONFIG_MDM_API_KEY"

// deployCommand enqueues InstallProfile for profiles on a NanoMDM server.
func deployCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "deploy",
		Usage:     "install profiles on devices through a NanoMDM server",
		ArgsUsage: "PROFILE.mobileconfig...",
		Description: "Enqueues an InstallProfile command for each PROFILE on the NanoMDM server at --nanomdm-url\n" +
			"(PUT /v1/enqueue/UDID,...; one request per profile, for all --udid devices) and asks it to\n" +
			"push the devices through APNs, unless --no-push. Prints, per device, the command UUID and\n" +
			"what NanoMDM's answer says: queued and pushed; queued (--no-push); queued, but not pushed (the\n" +
			"push failed: NanoMDM answers HTTP 500 then, yet the command is queued); queued, push result\n" +
			"unknown; or not queued. Exit status: 0 when every command was queued and (unless --no-push)\n" +
			"pushed, 3 when every command was queued but some pushes failed or are unknown (do not deploy\n" +
			"again: the devices get the commands when they next check in), 1 when any command was not\n" +
			"queued or the answer was not NanoMDM's result. Profiles must be signed unless --allow-unsigned,\n" +
			"and must hold no {{variables}} (which nothing here substitutes) unless --allow-unresolved.\n" +
			"The API key comes from --api-key-file or " + envMDMAPIKey + ", never from a flag value, and\n" +
			"is never printed; nor is anything the server sends printed with terminal control sequences.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "nanomdm-url", Usage: "the NanoMDM server's root `URL`, such as https://mdm.contoso.example (without /v1/enqueue)"},
			&cli.StringSliceFlag{Name: "udid", Usage: "device `UDID`s (enrollment IDs), comma-separated; repeatable"},
			&cli.StringFlag{Name: "api-user", Value: mdm.DefaultAPIUser, Usage: "API user `NAME`"},
			&cli.StringFlag{Name: "api-key-file", Usage: "`FILE` holding the API key, - for standard input (or set " + envMDMAPIKey + ")"},
			&cli.BoolFlag{Name: "no-push", Usage: "only queue the commands; devices get them at their next check-in"},
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "give up on a request after this `DURATION`"},
			&cli.BoolFlag{Name: "allow-unsigned", Usage: "deploy unsigned profiles too (devices show them as \"Not Verified\")"},
			allowUnresolvedFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the per-device results as JSON"},
			maxInputSizeFlag("profiles"),
		},
		Action: func(c *cli.Context) error {
			d, err := newDeployment(c, e)
			if err != nil {
				return err
			}
			return d.run(c)
		},
	}
}

// deployment is one run of deploy, its settings checked.
type deployment struct {
	// ctx is the command's context: an interrupt cancels the requests.
	ctx     context.Context
	e       env
	server  *url.URL
	client  *mdm.NanoMDMClient
	udids   []string
	noPush  bool
	timeout time.Duration
	json    bool
}

func newDeployment(c *cli.Context, e env) (*deployment, error) {
	if c.NArg() == 0 {
		return nil, usagef("deploy takes one or more PROFILE files")
	}
	raw := c.String("nanomdm-url")
	if raw == "" {
		return nil, usagef("--nanomdm-url is required: the NanoMDM server's root URL, such as https://mdm.contoso.example")
	}
	server, err := mdm.ParseServerURL(raw)
	if err != nil {
		return nil, usagef("--nanomdm-url: %v", err)
	}
	var udids []string
	seen := map[string]bool{}
	for _, v := range c.StringSlice("udid") {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if err := mdm.CheckDeviceID(id); err != nil {
				return nil, usagef("--udid %q: %v", v, err)
			}
			if !seen[id] {
				seen[id] = true
				udids = append(udids, id)
			}
		}
	}
	if len(udids) == 0 {
		return nil, usagef("--udid is required: the UDIDs of the devices to install the profiles on")
	}
	if c.Duration("timeout") <= 0 {
		return nil, usagef("--timeout must be positive, such as 30s")
	}
	user := c.String("api-user")
	if user == "" {
		return nil, usagef("--api-user is empty (NanoMDM's is %q)", mdm.DefaultAPIUser)
	}
	key := e.getenv(envMDMAPIKey)
	if f := c.String("api-key-file"); f != "" {
		warnLoosePermissions(e, f, "the API key file")
		if key, err = readSecretFile(e, f, "API key file"); err != nil {
			return nil, fmt.Errorf("--api-key-file: %w", err)
		}
		if key == "" {
			return nil, fmt.Errorf("the API key file %s is empty", f)
		}
	}
	if key == "" {
		return nil, usagef("no API key: give --api-key-file FILE or set %s", envMDMAPIKey)
	}
	if mdm.Cleartext(server) {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: --nanomdm-url is plain http to %s: the API key and the profiles cross the network unencrypted; use https\n", server.Host)
	}
	ctx := c.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return &deployment{
		ctx:     ctx,
		e:       e,
		server:  server,
		client:  &mdm.NanoMDMClient{BaseURL: server.String(), APIUser: user, APIKey: key},
		udids:   udids,
		noPush:  c.Bool("no-push"),
		timeout: c.Duration("timeout"),
		json:    c.Bool("json"),
	}, nil
}

// deployResult is the outcome for one profile on one device, as --json
// prints it. Every string in it that the server sent is cleaned of the API
// key and of terminal control sequences (package mdm does it).
type deployResult struct {
	Profile     string `json:"profile"`
	Device      string `json:"device"`
	CommandUUID string `json:"command_uuid"`
	RequestType string `json:"request_type"`
	HTTPStatus  int    `json:"http_status,omitempty"`
	// State is one of the mdm.DeviceState values (pushed, queued,
	// queued-not-pushed, queued-push-unknown, not-queued), or, when the
	// request got no usable answer, unknown (the command may have been
	// queued) or not-sent (an earlier request failed).
	State        string `json:"state"`
	Queued       bool   `json:"queued"`
	Pushed       bool   `json:"pushed"`
	PushResult   string `json:"push_result,omitempty"`
	PushError    string `json:"push_error,omitempty"`
	CommandError string `json:"command_error,omitempty"`
	// Error is set when the request got no usable answer.
	Error string `json:"error,omitempty"`
}

// States of a result that has no device result from the server.
const (
	stateUnknown = "unknown"
	stateNotSent = "not-sent"
)

// deployReport is the --json document.
type deployReport struct {
	// OK is true when every command was queued and, unless --no-push,
	// pushed: exit status 0.
	OK      bool           `json:"ok"`
	Server  string         `json:"server"`
	NoPush  bool           `json:"no_push"`
	Results []deployResult `json:"results"`
}

func (d *deployment) run(c *cli.Context) error {
	// Check every profile before anything is sent.
	type profile struct {
		path string
		data []byte
	}
	var profiles []profile
	bad := 0
	for _, path := range c.Args().Slice() {
		data, p, err := readProfile(d.e, path, c.Int64("max-input-size"))
		switch {
		case err != nil:
			fmt.Fprintf(d.e.stderr, "graph2mobileconfig: %v\n", err)
			bad++
			continue
		case checkUnresolved(d.e, path, p, c.Bool("allow-unresolved")) != nil:
			bad++
			continue
		case p.Signature == nil && !c.Bool("allow-unsigned"):
			fmt.Fprintf(d.e.stderr, "graph2mobileconfig: %s is not signed; devices show unsigned profiles as \"Not Verified\": sign it first (graph2mobileconfig sign), or pass --allow-unsigned\n", displayName(path))
			bad++
			continue
		case p.Signature == nil:
			fmt.Fprintf(d.e.stderr, "graph2mobileconfig: warning: %s is not signed; devices show it as \"Not Verified\"\n", displayName(path))
		}
		profiles = append(profiles, profile{path, data})
	}
	if bad > 0 {
		fmt.Fprintf(d.e.stderr, "graph2mobileconfig: %d of %d profile(s) cannot be deployed; nothing was sent\n", bad, c.NArg())
		return failure{}
	}

	report := deployReport{Server: d.server.String(), NoPush: d.noPush}
	var abort string
	for _, p := range profiles {
		name := displayName(p.path)
		uuid := mdm.NewCommandUUID()
		base := deployResult{Profile: p.path, CommandUUID: uuid, RequestType: mdm.RequestInstallProfile}
		if abort != "" {
			for _, id := range d.udids {
				r := base
				r.Device, r.State, r.Error = id, stateNotSent, abort
				report.Results = append(report.Results, r)
			}
			continue
		}
		command, err := mdm.InstallProfileCommand(p.data, uuid)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		ctx, cancel := context.WithTimeout(d.ctx, d.timeout)
		res, err := d.client.Enqueue(ctx, d.udids, command, d.noPush)
		cancel()

		var enqueueErr *mdm.EnqueueError
		if err != nil && !errors.As(err, &enqueueErr) {
			// No usable answer: the server did not answer, or not as
			// NanoMDM does for this request. Later requests would fare
			// no better.
			msg, state := d.explain(err)
			fmt.Fprintf(d.e.stderr, "graph2mobileconfig: %s: not deployed: %s\n", name, msg)
			for _, id := range d.udids {
				r := base
				r.Device, r.State, r.Error = id, state, msg
				report.Results = append(report.Results, r)
			}
			abort = "not sent: an earlier request failed (" + msg + ")"
			continue
		}
		// Errors for the request as a whole are in every device's result
		// (mdm.EnqueueResult.Devices), so each device line tells all.
		for _, dr := range res.Devices {
			r := base
			if res.CommandUUID != "" {
				r.CommandUUID = res.CommandUUID
			}
			if res.RequestType != "" {
				r.RequestType = res.RequestType
			}
			r.Device, r.HTTPStatus, r.State = dr.ID, res.StatusCode, string(dr.State())
			r.Queued, r.Pushed = dr.Queued, dr.Pushed
			r.PushResult, r.PushError, r.CommandError = dr.PushResult, dr.PushError, dr.CommandError
			report.Results = append(report.Results, r)
			if !dr.OK() {
				fmt.Fprintf(d.e.stderr, "graph2mobileconfig: %s: %s: %s %s %s\n", name, dr.ID, r.RequestType, r.CommandUUID, dr.Problem())
				continue
			}
			if d.json {
				continue
			}
			switch {
			case dr.Pushed && dr.PushResult != "":
				fmt.Fprintf(d.e.stdout, "%s: %s: %s %s queued; push sent (APNs id %s)\n", name, dr.ID, r.RequestType, r.CommandUUID, dr.PushResult)
			case dr.Pushed:
				fmt.Fprintf(d.e.stdout, "%s: %s: %s %s queued; push sent\n", name, dr.ID, r.RequestType, r.CommandUUID)
			default:
				fmt.Fprintf(d.e.stdout, "%s: %s: %s %s queued; not pushed (--no-push): the device gets it when it next checks in\n", name, dr.ID, r.RequestType, r.CommandUUID)
			}
		}
	}

	failed, unpushed := 0, 0
	for _, r := range report.Results {
		switch mdm.DeviceState(r.State) {
		case mdm.StatePushed, mdm.StateQueued:
		case mdm.StateNotPushed, mdm.StatePushUnknown:
			unpushed++
		default:
			failed++
		}
	}
	total := len(report.Results)
	report.OK = failed == 0 && unpushed == 0
	if d.json {
		enc := json.NewEncoder(d.e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return err
		}
	}
	switch {
	case failed > 0:
		fmt.Fprintf(d.e.stderr, "graph2mobileconfig: deploy failed for %d of %d profile installation(s)\n", failed, total)
		return failure{}
	case unpushed > 0:
		fmt.Fprintf(d.e.stderr, "graph2mobileconfig: every command was queued, but %d of %d push(es) failed or are unknown: those devices get the commands when they next check in (deploying again would queue them twice)\n", unpushed, total)
		return notPushed{}
	}
	return nil
}

// explain turns an error that came with no usable answer into a message
// that says what to check, and the state of the devices: not-queued when
// the server certainly did not queue the command (no connection, a refused
// key, no API at the URL, a redirect), unknown otherwise.
func (d *deployment) explain(err error) (string, string) {
	var ce *mdm.ConnectionError
	var se *mdm.StatusError
	switch {
	case errors.Is(err, mdm.ErrUnauthorized):
		return err.Error() + "; check --api-user and the key in --api-key-file or " + envMDMAPIKey, string(mdm.StateNotQueued)
	case errors.As(err, &ce) && ce.Timeout():
		return fmt.Sprintf("no answer from %s within %v (--timeout); the command may have been queued", ce.URL, d.timeout), stateUnknown
	case errors.As(err, &ce) && ce.Refused():
		return err.Error(), string(mdm.StateNotQueued)
	case errors.As(err, &se) && se.StatusCode >= 300 && se.StatusCode < 500:
		return err.Error(), string(mdm.StateNotQueued)
	}
	return err.Error(), stateUnknown
}
