package mdm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"syscall"
	"unicode"
)

// DefaultAPIUser is the user name of NanoMDM's API; its -api key is the
// password.
const DefaultAPIUser = "nanomdm"

// maxResponseSize bounds what is read of a server's answer: NanoMDM's JSON
// result is a few hundred bytes per device.
const maxResponseSize = 4 << 20

// Doer sends an HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// NanoMDMClient enqueues commands through NanoMDM's API
// (PUT /v1/enqueue/{id,...}, HTTP basic authentication).
type NanoMDMClient struct {
	// BaseURL is the server's root, where /v1/enqueue/ lives, such as
	// https://mdm.contoso.example; a path prefix is kept. See ParseServerURL.
	BaseURL string
	// APIUser is the basic authentication user; DefaultAPIUser when empty.
	APIUser string
	// APIKey is the basic authentication password, NanoMDM's -api key. It
	// never appears in an error.
	APIKey string
	// HTTPClient sends the requests; when nil, a client that does not follow
	// redirects and has no timeout of its own (use the context) is made for
	// each call. Redirects are reported as errors either way, since NanoMDM
	// does not redirect and following one would send the key elsewhere.
	HTTPClient Doer
}

// EnqueueResult is NanoMDM's answer to an enqueue request.
type EnqueueResult struct {
	// StatusCode is the HTTP status: 200 when every device succeeded, 207
	// when some did, 500 when none did.
	StatusCode int
	// CommandUUID and RequestType identify the enqueued command.
	CommandUUID string
	RequestType string
	// NoPush reports that no APNs push was attempted.
	NoPush bool
	// CommandError is an enqueue error for the request as a whole (then no
	// device has the command).
	CommandError string
	// PushError is a push error for the request as a whole.
	PushError string
	// Devices holds one result for each requested enrollment ID, in the
	// order requested, then any others the server reported, sorted.
	Devices []DeviceResult
}

// DeviceResult is the outcome of an enqueue for one enrollment ID.
type DeviceResult struct {
	// ID is the enrollment ID (device UDID).
	ID string
	// Queued reports that the command is in the device's queue: it will be
	// delivered when the device next checks in.
	Queued bool
	// Pushed reports that the APNs push was sent, so the device should check
	// in soon.
	Pushed bool
	// PushResult is the APNs id of the push, when one was sent.
	PushResult string
	// PushError says why the push failed, if it did.
	PushError string
	// CommandError says why the command was not queued, if it was not.
	CommandError string
}

// OK reports whether the command was queued and, unless pushes were turned
// off, pushed.
func (d DeviceResult) OK() bool {
	return d.Queued && d.PushError == "" && d.CommandError == ""
}

// Problem describes what went wrong for the device, or is empty when
// nothing did.
func (d DeviceResult) Problem() string {
	switch {
	case !d.Queued:
		return "not queued: " + d.CommandError
	case d.PushError == pushDataMissing:
		return "queued, but not pushed: " + d.PushError + " (NanoMDM has no push token for this ID: the device is not enrolled, or the UDID is wrong)"
	case d.PushError != "":
		return "queued, but not pushed: " + d.PushError + " (the device gets the command when it next checks in)"
	}
	return ""
}

// pushDataMissing is NanoMDM's push error for an enrollment ID it has no
// TokenUpdate for (push/service.ErrIdNotFound).
const pushDataMissing = "push data missing for id"

// Failed returns the devices whose result is not OK.
func (r *EnqueueResult) Failed() []DeviceResult {
	var out []DeviceResult
	for _, d := range r.Devices {
		if !d.OK() {
			out = append(out, d)
		}
	}
	return out
}

// apiResult mirrors NanoMDM's api.APIResult JSON (nanomdm v0.9.0,
// api/types.go): errors are JSON strings.
type apiResult struct {
	Status       map[string]enrollmentResult `json:"status"`
	NoPush       bool                        `json:"no_push"`
	PushError    string                      `json:"push_error"`
	CommandError string                      `json:"command_error"`
	CommandUUID  string                      `json:"command_uuid"`
	RequestType  string                      `json:"request_type"`
}

// enrollmentResult mirrors NanoMDM's api.EnrollmentResult JSON.
type enrollmentResult struct {
	PushError    string `json:"push_error"`
	PushResult   string `json:"push_result"`
	CommandError string `json:"command_error"`
}

// ErrUnauthorized is wrapped by the error Enqueue returns when the server
// refuses the API user or key (HTTP 401).
var ErrUnauthorized = errors.New("the API user or key was refused")

// StatusError is an HTTP answer that is not an enqueue result: a refused
// key, a wrong URL, a proxy's error page.
type StatusError struct {
	// URL is the request URL.
	URL string
	// StatusCode and Status are the HTTP status.
	StatusCode int
	Status     string
	// Body is the start of the answer, as one line of text.
	Body string
	// Location is where a redirect pointed.
	Location string
	// User is the API user that was sent.
	User string
}

func (e *StatusError) Error() string {
	switch {
	case e.StatusCode == http.StatusUnauthorized && e.User == DefaultAPIUser:
		return fmt.Sprintf("the server at %s refused the API user %q and key (HTTP %s): the API key is wrong", e.URL, e.User, e.Status)
	case e.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("the server at %s refused the API user %q and key (HTTP %s): the API key is wrong, or the user (NanoMDM's is %q)", e.URL, e.User, e.Status, DefaultAPIUser)
	case e.StatusCode == http.StatusNotFound:
		return fmt.Sprintf("the server has no enqueue API at %s (HTTP %s): check the URL (the server's root, without /v1), and that NanoMDM runs with -api", e.URL, e.Status)
	case e.StatusCode >= 300 && e.StatusCode < 400:
		return fmt.Sprintf("the server at %s redirects (HTTP %s) to %q; give that URL instead (redirects are not followed, so the API key goes nowhere else)", e.URL, e.Status, e.Location)
	}
	msg := fmt.Sprintf("the server at %s answered HTTP %s", e.URL, e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	} else {
		msg += " with no explanation"
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrUnauthorized) true for HTTP 401.
func (e *StatusError) Unwrap() error {
	if e.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	return nil
}

// ConnectionError means no HTTP answer came: the server could not be reached
// or did not answer in time.
type ConnectionError struct {
	// URL is the request URL.
	URL string
	// Err is the underlying error.
	Err error
}

func (e *ConnectionError) Error() string {
	switch {
	case e.Refused():
		return fmt.Sprintf("cannot connect to %s: connection refused (is the server running, and is the URL right?)", e.URL)
	case e.Timeout():
		return fmt.Sprintf("no answer from %s in time", e.URL)
	}
	return fmt.Sprintf("cannot reach %s: %v", e.URL, unwrapURLError(e.Err))
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// Refused reports that the server's host refused the connection.
func (e *ConnectionError) Refused() bool { return errors.Is(e.Err, syscall.ECONNREFUSED) }

// Timeout reports that the request ran out of time.
func (e *ConnectionError) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// unwrapURLError drops the "PUT "http://…":" prefix of a *url.Error, whose
// URL the caller already names.
// redactCredentials removes the API key, in clear and as the basic-auth
// token, from text the server sent back (a proxy may echo the request).
func redactCredentials(text, user, key string) string {
	if key == "" {
		return text
	}
	token := base64.StdEncoding.EncodeToString([]byte(user + ":" + key))
	return strings.NewReplacer(token, "«redacted»", key, "«redacted»").Replace(text)
}

// withoutUserInfo drops anything before an "@" in the authority of a URL
// that does not parse, where a user name and key may be.
func withoutUserInfo(s string) string {
	if at := strings.LastIndex(s, "@"); at >= 0 {
		start := strings.Index(s, "://")
		if start < 0 || start > at {
			start = -3
		}
		return s[:start+3] + "«redacted»@" + s[at+1:]
	}
	return s
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// EnqueueError is an enqueue that NanoMDM answered with a result in which
// some or all devices failed.
type EnqueueError struct {
	Result *EnqueueResult
}

func (e *EnqueueError) Error() string {
	r := e.Result
	var b strings.Builder
	failed := r.Failed()
	fmt.Fprintf(&b, "%s command %s failed for %d of %d device(s) (HTTP %d)", orUnknown(r.RequestType), orUnknown(r.CommandUUID), len(failed), len(r.Devices), r.StatusCode)
	if r.CommandError != "" {
		fmt.Fprintf(&b, "; enqueue error: %s", r.CommandError)
	}
	if r.PushError != "" {
		fmt.Fprintf(&b, "; push error: %s", r.PushError)
	}
	for _, d := range failed {
		fmt.Fprintf(&b, "; %s: %s", d.ID, d.Problem())
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// Enqueue queues command (a command plist such as InstallProfileCommand
// makes) for every enrollment ID in ids with one PUT /v1/enqueue/{id,...}
// request, and asks NanoMDM to send APNs pushes unless noPush is set
// (?nopush=1).
//
// Whenever NanoMDM answers with its JSON result, the result is returned, and
// the error is nil only when every device succeeded; otherwise it is an
// *EnqueueError. An answer that is not a result gives a *StatusError (HTTP
// 401 wraps ErrUnauthorized), and no answer a *ConnectionError.
func (c *NanoMDMClient) Enqueue(ctx context.Context, ids []string, command []byte, noPush bool) (*EnqueueResult, error) {
	base, err := ParseServerURL(c.BaseURL)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("no device IDs to enqueue for")
	}
	for _, id := range ids {
		if err := CheckDeviceID(id); err != nil {
			return nil, err
		}
	}
	if len(command) == 0 {
		return nil, errors.New("the command is empty")
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + "/v1/enqueue/" + strings.Join(ids, ",")
	u.RawPath = ""
	if noPush {
		u.RawQuery = "nopush=1"
	}
	target := u.String()

	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(command))
	if err != nil {
		return nil, fmt.Errorf("building the request to %s: %w", target, err)
	}
	user := c.APIUser
	if user == "" {
		user = DefaultAPIUser
	}
	req.SetBasicAuth(user, c.APIKey)
	req.Header.Set("Content-Type", "application/x-apple-aspen-mdm")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "graph2mobileconfig")

	client := c.HTTPClient
	if client == nil {
		client = &http.Client{CheckRedirect: noRedirects}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &ConnectionError{URL: target, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return nil, &ConnectionError{URL: target, Err: err}
	}

	statusErr := &StatusError{URL: target, StatusCode: resp.StatusCode, Status: statusText(resp), Body: redactCredentials(oneLine(body), user, c.APIKey), Location: resp.Header.Get("Location"), User: user}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusMultiStatus, http.StatusInternalServerError:
	default:
		return nil, statusErr
	}
	var ar apiResult
	if err := json.Unmarshal(body, &ar); err != nil {
		if resp.StatusCode == http.StatusOK {
			return nil, fmt.Errorf("the server at %s answered HTTP 200 but not with NanoMDM's JSON result (is it a NanoMDM server?): %v", target, err)
		}
		return nil, statusErr
	}
	result := newEnqueueResult(resp.StatusCode, &ar, ids)
	if result.StatusCode != http.StatusOK || result.CommandError != "" || result.PushError != "" || len(result.Failed()) > 0 {
		return result, &EnqueueError{Result: result}
	}
	return result, nil
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newEnqueueResult(code int, ar *apiResult, ids []string) *EnqueueResult {
	r := &EnqueueResult{
		StatusCode:   code,
		CommandUUID:  ar.CommandUUID,
		RequestType:  ar.RequestType,
		NoPush:       ar.NoPush,
		CommandError: ar.CommandError,
		PushError:    ar.PushError,
	}
	seen := map[string]bool{}
	add := func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		s := ar.Status[id]
		d := DeviceResult{ID: id, PushResult: s.PushResult, PushError: s.PushError, CommandError: s.CommandError}
		// NanoMDM enqueues for all IDs or none when the request as a
		// whole fails, and then does not push.
		if d.CommandError == "" && r.CommandError != "" {
			d.CommandError = r.CommandError
		}
		d.Queued = d.CommandError == ""
		if d.Queued && !r.NoPush {
			switch {
			case d.PushError != "":
			case d.PushResult != "":
				d.Pushed = true
			case r.PushError != "":
				d.PushError = r.PushError
			default:
				// No result for this device and no error: NanoMDM
				// says a push without an error is taken as sent.
				d.Pushed = true
			}
		}
		r.Devices = append(r.Devices, d)
	}
	for _, id := range ids {
		add(id)
	}
	var extra []string
	for id := range ar.Status {
		if !seen[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		add(id)
	}
	return r
}

func statusText(resp *http.Response) string {
	if s := http.StatusText(resp.StatusCode); s != "" {
		return fmt.Sprintf("%d %s", resp.StatusCode, s)
	}
	return fmt.Sprint(resp.StatusCode)
}

// oneLine returns the start of an HTTP body as a single line of printable
// text, for error messages.
func oneLine(body []byte) string {
	const max = 200
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, string(body))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// ParseServerURL checks the URL of an MDM server: http or https, with a
// host, and no user name or password (credentials go in APIUser and APIKey),
// query or fragment.
func ParseServerURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("the server URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("the server URL %q does not parse: %v", withoutUserInfo(raw), withoutUserInfo(unwrapURLError(err).Error()))
	}
	// Credentials in the URL are checked first, so that no later message
	// quotes them.
	if u.User != nil {
		return nil, fmt.Errorf("the server URL %s holds a user name or password; give the API key separately", u.Redacted())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the server URL %q must start with https:// (or http://)", raw)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("the server URL %q has no host", raw)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("the server URL %q must not have a query or fragment", raw)
	}
	return u, nil
}

// Cleartext reports whether requests to u travel unencrypted over a
// network: plain http to a host other than the loopback interface.
func Cleartext(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
