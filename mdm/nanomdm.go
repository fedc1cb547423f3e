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
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
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
	// when some did, 500 when none did. NanoMDM answers 500 when only the
	// pushes failed too, which is not a failed enqueue: the devices' states
	// tell.
	StatusCode int
	// CommandUUID and RequestType identify the enqueued command.
	CommandUUID string
	RequestType string
	// PushRequested reports that the request asked for APNs pushes (it was
	// not sent with noPush).
	PushRequested bool
	// NoPush reports that the server says no APNs push was attempted.
	NoPush bool
	// CommandError is an enqueue error for the request as a whole (then no
	// device has the command).
	CommandError string
	// PushError is a push error for the request as a whole.
	PushError string
	// Devices holds one result for each requested enrollment ID, in the
	// order requested.
	Devices []DeviceResult
}

// DeviceState is what an enqueue achieved for one device.
type DeviceState string

// The states of a device after an enqueue.
const (
	// StatePushed: the command is queued and the APNs push was sent, so
	// the device should check in soon.
	StatePushed DeviceState = "pushed"
	// StateQueued: the command is queued; no push was asked for, so the
	// device gets it when it next checks in.
	StateQueued DeviceState = "queued"
	// StateNotPushed: the command is queued, but the push failed (or the
	// server sends none): the device gets it when it next checks in. Do
	// not enqueue it again.
	StateNotPushed DeviceState = "queued-not-pushed"
	// StatePushUnknown: the command is queued, and a push was asked for,
	// but the answer says nothing of it.
	StatePushUnknown DeviceState = "queued-push-unknown"
	// StateNotQueued: the server says the command was not queued.
	StateNotQueued DeviceState = "not-queued"
)

// DeviceResult is the outcome of an enqueue for one enrollment ID. Every
// string in it comes from the server: it is cleaned of terminal control
// sequences and of the API key before it is stored.
type DeviceResult struct {
	// ID is the enrollment ID (device UDID).
	ID string
	// Queued reports that the command is in the device's queue: it will be
	// delivered when the device next checks in.
	Queued bool
	// Pushed reports that the APNs push was sent, so the device should check
	// in soon.
	Pushed bool
	// PushUnknown reports that a push was asked for and the answer holds
	// neither a result nor an error for this device.
	PushUnknown bool
	// PushResult is the APNs id of the push, when one was sent.
	PushResult string
	// PushError says why the push failed, if it did.
	PushError string
	// CommandError says why the command was not queued, if it was not.
	CommandError string
}

// State says what the enqueue achieved for the device.
func (d DeviceResult) State() DeviceState {
	switch {
	case !d.Queued:
		return StateNotQueued
	case d.Pushed:
		return StatePushed
	case d.PushUnknown:
		return StatePushUnknown
	case d.PushError != "":
		return StateNotPushed
	}
	return StateQueued
}

// OK reports whether the command was queued and, unless no push was asked
// for, pushed.
func (d DeviceResult) OK() bool {
	s := d.State()
	return s == StatePushed || s == StateQueued
}

// Problem describes what went wrong for the device, or is empty when
// nothing did.
func (d DeviceResult) Problem() string {
	switch d.State() {
	case StateNotQueued:
		return "not queued: " + d.CommandError
	case StatePushUnknown:
		return "queued, but the push result is unknown: the server's answer says nothing about this device (the device gets the command when it next checks in; do not deploy it again)"
	case StateNotPushed:
		if d.PushError == pushDataMissing {
			return "queued, but not pushed: " + d.PushError + " (NanoMDM has no push token for this ID: the device is not enrolled, or the UDID is wrong)"
		}
		return "queued, but not pushed: " + d.PushError + " (the device gets the command when it next checks in; do not deploy it again)"
	}
	return ""
}

// pushDataMissing is NanoMDM's push error for an enrollment ID it has no
// TokenUpdate for (push/service.ErrIdNotFound).
const pushDataMissing = "push data missing for id"

// noPushOnServer is the push error of devices for which a push was asked
// but the server answered that it sent none.
const noPushOnServer = "the server sent no push although one was asked for (is NanoMDM running with pushes disabled?)"

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

// AllQueued reports whether every device has the command in its queue,
// pushed or not.
func (r *EnqueueResult) AllQueued() bool {
	for _, d := range r.Devices {
		if !d.Queued {
			return false
		}
	}
	return true
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
// key, a wrong URL, a proxy's error page. Its strings are cleaned of
// terminal control sequences and of the API key.
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

// AnswerError is an answer with a JSON result that cannot be NanoMDM's
// result for the request: not a JSON object, a result for another command,
// or results for enrollment IDs that were not requested (what NanoMDM
// answers when the URL already ends in /v1/enqueue/, since it takes the
// rest of the path as the IDs). Nothing can be said of the devices: the
// command may have been queued under other IDs.
type AnswerError struct {
	// URL is the request URL.
	URL string
	// StatusCode is the HTTP status.
	StatusCode int
	// Reason says what is wrong with the answer.
	Reason string
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("the answer of %s (HTTP %d) is not NanoMDM's result for this request: %s", e.URL, e.StatusCode, e.Reason)
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

// cleanError is an error whose text was cleaned (see serverText) while it
// still unwraps to the original, so that errors.Is and errors.As see it.
type cleanError struct {
	text string
	err  error
}

func (e *cleanError) Error() string { return e.text }
func (e *cleanError) Unwrap() error { return e.err }

// serverText turns text the server sent (a result field, a header, an error
// page, or an error that quotes the answer) into text that is safe to
// print: the API key and its basic-authentication token are replaced, in
// every form a server might echo them, before and after terminal control
// sequences and other control characters are removed (a key split by an
// escape sequence would otherwise appear once the sequence is gone).
func serverText(text, user, key string) string {
	text = redactCredentials(text, user, key)
	text = stripControls(text)
	return redactCredentials(text, user, key)
}

// redactedMark replaces a secret in text from the server.
const redactedMark = "«redacted»"

// redactCredentials removes the API key, in clear, as the basic-auth token,
// and escaped as JSON and URLs write it, from text the server sent back (a
// proxy may echo the request).
func redactCredentials(text, user, key string) string {
	if key == "" {
		return text
	}
	forms := []string{
		base64.StdEncoding.EncodeToString([]byte(user + ":" + key)),
		base64.URLEncoding.EncodeToString([]byte(user + ":" + key)),
		base64.RawStdEncoding.EncodeToString([]byte(user + ":" + key)),
		key,
		url.QueryEscape(key),
		url.PathEscape(key),
	}
	if j, err := json.Marshal(key); err == nil {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	var pairs []string
	for _, f := range forms {
		if f != "" {
			pairs = append(pairs, f, redactedMark)
		}
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// stripControls removes terminal control sequences (ESC and C1 CSI, OSC,
// DCS and the like, with their parameters), every other control character
// (a tab or line break becomes a space) and the Unicode controls that
// reorder text on screen (bidirectional overrides and isolates).
func stripControls(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC
			i = skipEscape(rs, i)
		case r == 0x9b: // CSI
			i = skipCSI(rs, i+1)
		case r == 0x90 || r == 0x9d || r == 0x98 || r == 0x9e || r == 0x9f: // DCS OSC SOS PM APC
			i = skipString(rs, i+1)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r), isReordering(r), r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// skipEscape returns the index of the last rune of the escape sequence that
// starts at rs[i] (ESC).
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', 'X', '^', '_':
		return skipString(rs, i+2)
	}
	// ESC, intermediate bytes (0x20–0x2F), then one final character.
	j := i + 1
	for j < len(rs) && rs[j] >= 0x20 && rs[j] <= 0x2f {
		j++
	}
	if j < len(rs) {
		return j
	}
	return len(rs) - 1
}

// skipCSI returns the index of the final byte of a control sequence whose
// parameters start at rs[i].
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		if rs[i] >= 0x40 && rs[i] <= 0x7e {
			return i
		}
		if rs[i] < 0x20 || rs[i] > 0x7e {
			// Not part of a sequence: shown as any other character.
			return i - 1
		}
	}
	return len(rs) - 1
}

// skipString returns the index of the end of a control string (OSC, DCS…)
// whose text starts at rs[i]: BEL, ST (ESC \ or U+009C), or the end.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch {
		case rs[i] == 0x07 || rs[i] == 0x9c:
			return i
		case rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\':
			return i + 1
		}
	}
	return len(rs) - 1
}

// isReordering reports the Unicode formatting characters that change the
// order in which text is shown (a "trojan source" message could otherwise
// display something other than what it says).
func isReordering(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
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

// unwrapURLError drops the "PUT "http://…":" prefix of a *url.Error, whose
// URL the caller already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// EnqueueError is an enqueue that NanoMDM answered with a result in which
// some or all devices failed: not queued, not pushed, or with a push result
// the answer does not give.
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
// Whenever NanoMDM answers with its JSON result for this command, the
// result is returned, and the error is nil only when every device is
// queued and, unless noPush, pushed; otherwise it is an *EnqueueError. A
// device counts as not queued only when the result says so (a command
// error); a push error leaves it queued but not pushed, even though NanoMDM
// then answers HTTP 500.
//
// An answer that is not such a result gives no result: a *StatusError for
// an HTTP error (401 wraps ErrUnauthorized), an *AnswerError for JSON that
// is not NanoMDM's result for this request (results for IDs that were not
// requested, another command), and a *ConnectionError when no answer came.
// No error or result holds the API key, and every string from the server
// is cleaned of terminal control sequences.
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
	sent, err := DecodeCommand(command)
	if err != nil {
		return nil, err
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
	clean := func(s string) string { return serverText(s, user, c.APIKey) }

	client := c.HTTPClient
	if client == nil {
		client = &http.Client{CheckRedirect: noRedirects}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error may quote what the server sent (a malformed answer).
		return nil, &ConnectionError{URL: target, Err: &cleanError{text: clean(unwrapURLError(err).Error()), err: err}}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize))
	if err != nil {
		return nil, &ConnectionError{URL: target, Err: &cleanError{text: clean(err.Error()), err: err}}
	}

	statusErr := &StatusError{URL: target, StatusCode: resp.StatusCode, Status: statusText(resp), Body: oneLine(string(body), clean), Location: clean(resp.Header.Get("Location")), User: user}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusMultiStatus, http.StatusInternalServerError:
	default:
		return nil, statusErr
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		if resp.StatusCode == http.StatusOK {
			return nil, &AnswerError{URL: target, StatusCode: resp.StatusCode, Reason: "it is not a JSON object (is the URL that of a NanoMDM server?)"}
		}
		return nil, statusErr
	}
	var ar apiResult
	if err := json.Unmarshal(body, &ar); err != nil {
		return nil, &AnswerError{URL: target, StatusCode: resp.StatusCode, Reason: "its JSON does not have the fields of NanoMDM's result: " + clean(err.Error())}
	}
	if err := checkAnswer(&ar, sent, ids, clean); err != "" {
		return nil, &AnswerError{URL: target, StatusCode: resp.StatusCode, Reason: err}
	}
	result := newEnqueueResult(resp.StatusCode, &ar, ids, noPush, clean)
	if len(result.Failed()) > 0 || result.CommandError != "" {
		return result, &EnqueueError{Result: result}
	}
	return result, nil
}

// checkAnswer returns why a JSON answer cannot be NanoMDM's result for the
// command sent to ids, or "".
func checkAnswer(ar *apiResult, sent *Command, ids []string, clean func(string) string) string {
	requested := make(map[string]bool, len(ids))
	for _, id := range ids {
		requested[id] = true
	}
	var others []string
	for id := range ar.Status {
		if !requested[id] {
			others = append(others, id)
		}
	}
	if len(others) > 0 {
		sort.Strings(others)
		var quoted []string
		for i, id := range others {
			if i == 3 {
				quoted = append(quoted, fmt.Sprintf("and %d more", len(others)-3))
				break
			}
			quoted = append(quoted, strconv.Quote(cut(clean(id), 80)))
		}
		return fmt.Sprintf("it reports on enrollment IDs that were not requested (%s): the command may have been queued under those IDs; the NanoMDM URL must be the server's root URL, without /v1 or /v1/enqueue", strings.Join(quoted, ", "))
	}
	if ar.CommandError == "" {
		// NanoMDM names the command it queued whenever it could read it.
		if ar.CommandUUID == "" {
			return "it names no command, as NanoMDM's result always does (is the URL that of a NanoMDM server?)"
		}
		if ar.CommandUUID != sent.CommandUUID {
			return fmt.Sprintf("it names command %q, not the command %s that was sent", cut(clean(ar.CommandUUID), 80), sent.CommandUUID)
		}
		if ar.RequestType != "" && ar.RequestType != sent.RequestType {
			return fmt.Sprintf("it names request type %q, not %s", cut(clean(ar.RequestType), 80), sent.RequestType)
		}
	}
	return ""
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newEnqueueResult(code int, ar *apiResult, ids []string, noPush bool, clean func(string) string) *EnqueueResult {
	r := &EnqueueResult{
		StatusCode:    code,
		CommandUUID:   clean(ar.CommandUUID),
		RequestType:   clean(ar.RequestType),
		PushRequested: !noPush,
		NoPush:        ar.NoPush,
		CommandError:  clean(ar.CommandError),
		PushError:     clean(ar.PushError),
	}
	for _, id := range ids {
		s, reported := ar.Status[id]
		d := DeviceResult{ID: id, PushResult: clean(s.PushResult), PushError: clean(s.PushError), CommandError: clean(s.CommandError)}
		// NanoMDM enqueues for all IDs or none when the request as a
		// whole fails, and then does not push.
		if d.CommandError == "" && r.CommandError != "" {
			d.CommandError = r.CommandError
		}
		d.Queued = d.CommandError == ""
		switch {
		case !d.Queued:
		case d.PushError != "":
			// Queued, not pushed: NanoMDM's answer is HTTP 500 when
			// this is the only error, yet the command is in the queue.
		case d.PushResult != "":
			d.Pushed = true
		case noPush:
			// Nothing was asked of APNs.
		case r.PushError != "":
			d.PushError = r.PushError
		case ar.NoPush:
			d.PushError = noPushOnServer
		case !reported:
			d.PushUnknown = true
		default:
			// Reported without a push ID or an error: NanoMDM takes a
			// push without an error as sent.
			d.Pushed = true
		}
		r.Devices = append(r.Devices, d)
	}
	return r
}

func statusText(resp *http.Response) string {
	if s := http.StatusText(resp.StatusCode); s != "" {
		return fmt.Sprintf("%d %s", resp.StatusCode, s)
	}
	return fmt.Sprint(resp.StatusCode)
}

// oneLine returns the start of an HTTP body as a single line for error
// messages: cleaned (clean is serverText for the request), whitespace
// collapsed, cleaned again (collapsing may join what was apart), and only
// then cut to at most 200 bytes, at a character boundary, so that no
// prefix of a secret survives the cut.
func oneLine(body string, clean func(string) string) string {
	return cut(clean(strings.Join(strings.Fields(clean(body)), " ")), 200)
}

// cut shortens s to at most n bytes, at a character boundary and not
// inside a redactedMark, marking the cut with an ellipsis.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	if i := strings.LastIndex(s[:n], redactedMark[:2]); i >= 0 && strings.HasPrefix(s[i:], redactedMark) && i+len(redactedMark) > n {
		n = i
	}
	return s[:n] + "…"
}

// ParseServerURL checks the URL of an MDM server: http or https, with a
// host, and no user name or password (credentials go in APIUser and APIKey),
// query or fragment. It is the server's root: a path that already holds
// NanoMDM's API (/v1, /v1/enqueue/…, an easy mistake since NanoMDM's
// documentation shows those paths) is refused, since NanoMDM would take
// what follows /v1/enqueue/ for the device IDs and queue the command for
// devices that do not exist.
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
	if api := apiPath(u.Path); api != "" {
		root := *u
		root.Path, root.RawPath = strings.TrimSuffix(u.Path[:len(u.Path)-len(api)], "/"), ""
		return nil, fmt.Errorf("the server URL %q ends in NanoMDM's API path %s; give the server's root URL (%s): the API paths are added to it, and NanoMDM would take the rest of the path for device IDs", raw, api, root.String())
	}
	return u, nil
}

// apiPath returns the end of path that is NanoMDM's API (/v1, /v1/enqueue,
// /v1/enqueue/ID..., /v1/push...), or "" when there is none.
func apiPath(path string) string {
	segments := strings.Split(strings.TrimSuffix(path, "/"), "/")
	for i, seg := range segments {
		if seg != "v1" {
			continue
		}
		rest := segments[i+1:]
		if len(rest) == 0 || slices.Contains([]string{"enqueue", "push", "pushcert", "escrowkeyunlock"}, rest[0]) {
			return "/" + strings.Join(segments[i:], "/")
		}
	}
	return ""
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
