package compiler

import (
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// emitAlwaysOn maps Intune's always-on block. With always-on enabled the
// payload's VPNType is AlwaysOn and the IKEv2 keys move into the single tunnel
// configuration (see assemble).
func emitAlwaysOn(b *build) {
	ao := b.cfg.AlwaysOnConfiguration
	if !b.alwaysOn {
		if ao != nil {
			b.warnf("ignored-setting", "alwaysOnConfiguration", "AlwaysOn", "ignored: alwaysOnConfiguration is set, but enableAlwaysOnConfiguration is not true, so none of it is written")
		}
		return
	}
	b.infof("supervised-only", "enableAlwaysOnConfiguration", "AlwaysOn", "an Always On VPN installs only on supervised devices")
	if ao == nil {
		ao = &graphjson.AppleVpnAlwaysOnConfiguration{}
		b.infof("device-default", "alwaysOnConfiguration", "AlwaysOn", "enableAlwaysOnConfiguration is true without alwaysOnConfiguration; the tunnel uses Wi-Fi and cellular and the device defaults apply")
	}
	const rel = "alwaysOnConfiguration"
	interfaces := []string{"Cellular", "WiFi"}
	if tc := ao.TunnelConfiguration; tc != nil {
		switch *tc {
		case graphjson.TunnelCellular:
			interfaces = []string{"Cellular"}
		case graphjson.TunnelWifi:
			interfaces = []string{"WiFi"}
		}
	}
	b.tunnelInterfaces = interfaces

	flagKey := func(key string, v *bool, member string) {
		if v != nil {
			b.setVPN("AlwaysOn."+key, flag(*v), rel+"."+member)
		}
	}
	flagKey("UIToggleEnabled", ao.UserToggleEnabled, "userToggleEnabled")
	flagKey("AllowCaptiveWebSheet", ao.AllowCaptiveWebSheet, "allowCaptiveWebSheet")
	flagKey("AllowAllCaptiveNetworkPlugins", ao.AllowAllCaptiveNetworkPlugins, "allowAllCaptiveNetworkPlugins")

	if p := ao.AllowedCaptiveNetworkPlugins; p != nil {
		ids := b.nonEmpty(p.AllowedBundleIdentifiers, rel+".allowedCaptiveNetworkPlugins.allowedBundleIdentifiers")
		if len(ids) > 0 {
			list := make([]any, len(ids))
			for i, id := range ids {
				list[i] = dictOf(Entry{"BundleIdentifier", id})
			}
			b.setVPN("AlwaysOn.AllowedCaptiveNetworkPlugins", list, rel+".allowedCaptiveNetworkPlugins.allowedBundleIdentifiers")
			if val(ao.AllowAllCaptiveNetworkPlugins) {
				b.warnf("no-effect", rel+".allowedCaptiveNetworkPlugins", "AlwaysOn.AllowedCaptiveNetworkPlugins", "the list of captive network apps has no effect while allowAllCaptiveNetworkPlugins is true")
			}
		}
	}

	var exceptions []any
	for _, e := range []struct {
		action  *graphjson.VpnServiceExceptionAction
		service string
		member  string
	}{
		{ao.VoicemailExceptionAction, "VoiceMail", "voicemailExceptionAction"},
		{ao.AirPrintExceptionAction, "AirPrint", "airPrintExceptionAction"},
		{ao.CellularExceptionAction, "CellularServices", "cellularExceptionAction"},
	} {
		if e.action == nil {
			continue
		}
		switch *e.action {
		case graphjson.ExceptionAllowTrafficOutside:
			exceptions = append(exceptions, dictOf(Entry{"ServiceName", e.service}, Entry{"Action", "Allow"}))
		case graphjson.ExceptionDropTraffic:
			exceptions = append(exceptions, dictOf(Entry{"ServiceName", e.service}, Entry{"Action", "Drop"}))
		}
	}
	if len(exceptions) > 0 {
		b.setVPN("AlwaysOn.ServiceExceptions", exceptions, rel)
	}

	if n := ao.NatKeepAliveIntervalInSeconds; n != nil {
		if *n < 20 || *n > 1440 {
			b.errorf("out-of-range", rel+".natKeepAliveIntervalInSeconds", "IKEv2.NATKeepAliveInterval", "a NAT keep-alive interval of %d seconds is outside the range 20 to 1440 (Apple's minimum is 20)", *n)
		} else {
			b.setIKE("NATKeepAliveInterval", int(*n), rel+".natKeepAliveIntervalInSeconds")
		}
	}
	if v := ao.NatKeepAliveOffloadEnable; v != nil {
		b.setIKE("NATKeepAliveOffloadEnable", flag(*v), rel+".natKeepAliveOffloadEnable")
	}
}

// alwaysOnIgnores leaves out, for an Always On VPN, a setting that means
// nothing there: the tunnel is always up and carries all traffic but the
// service exceptions. A setting that asks for something (on) is a warning,
// one that is off a note. It reports whether the setting was left out.
func (b *build) alwaysOnIgnores(rel, key string, set, on bool, why string) bool {
	if !b.alwaysOn {
		return false
	}
	if !set {
		return true
	}
	if on {
		b.warnf("ignored-setting", rel, key, "ignored for an Always On VPN, which %s; %s is left out", why, key)
	} else {
		b.infof("ignored-setting", rel, key, "not written for an Always On VPN, which %s", why)
	}
	return true
}
