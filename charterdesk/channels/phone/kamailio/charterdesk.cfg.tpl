#!KAMAILIO
#
# Kamailio as the exchange in front of the desk phones, reporting every call event to charterdesk
# (POST /api/v1/phone/events, signed with HMAC-SHA256; see docs/phone.md).  The placeholders in
# double at-signs are filled in by whoever installs it (the end-to-end test fills them with
# loopback ports): LISTEN (udp:127.0.0.1:5060), EVENTS_URL (https://desk.example/api/v1/phone/events),
# EXCHANGE and SECRET (the exchange's name and signing secret in charterdesk), RING_TIMEOUT_MS (how
# long a desk phone rings before the exchange gives up), DIALPLAN (route[DIALPLAN]'s body: the
# dialled line -> $avp(ext) and $du, the phone).

debug=2
log_stderror=yes
children=8
listen=@@LISTEN@@
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no

mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "crypto.so"
loadmodule "http_client.so"

modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", @@RING_TIMEOUT_MS@@)
modparam("http_client", "connection_timeout", 3)
modparam("http_client", "query_result", 0)

request_route {
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if (has_totag()) {
        if (loose_route()) {
            if (is_method("BYE")) {
                $var(event) = "ended"; $var(leg) = ""; route(REPORT);
            }
            t_relay();
            exit;
        }
        if (is_method("ACK")) {
            if (t_check_trans()) { t_relay(); }
            exit;
        }
        sl_send_reply("404", "Not here");
        exit;
    }
    if (is_method("CANCEL")) {
        if (t_check_trans()) {
            # The caller hung up while the phone rang.
            $var(event) = "abandoned"; $var(leg) = ""; route(REPORT);
            t_relay();
        }
        exit;
    }
    if (!is_method("INVITE")) {
        sl_send_reply("405", "Method Not Allowed");
        exit;
    }
    record_route();
    $avp(line) = $rU;
    $avp(caller) = $fU;
    $var(event) = "offered"; $var(leg) = ""; route(REPORT);
    route(DIALPLAN);
    if ($avp(ext) == $null) {
        sl_send_reply("404", "No such line");
        exit;
    }
    $rU = $avp(ext);
    t_on_reply("PHONE");
    t_on_failure("NO_ANSWER");
    if (!t_relay()) {
        sl_reply_error();
    }
    exit;
}

route[DIALPLAN] {
@@DIALPLAN@@
}

onreply_route[PHONE] {
    if (!is_method("INVITE")) {
        return;
    }
    if ($rs == 180 || $rs == 183) {
        $var(event) = "alerting"; $var(leg) = $avp(ext); route(REPORT);
    } else if ($rs == 200) {
        $var(event) = "answered"; $var(leg) = $avp(ext); route(REPORT);
    }
}

failure_route[NO_ANSWER] {
    if (t_is_canceled()) {
        $var(event) = "ended"; $var(leg) = ""; route(REPORT);
        exit;
    }
    # The phone rang out (ring timeout) or refused: the caller is not answered.
    $var(event) = "no_answer"; $var(leg) = $avp(ext); route(REPORT);
    $var(event) = "ended"; $var(leg) = ""; route(REPORT);
}

# Report $var(event) for this call: JSON body, HMAC-SHA256 over "<unix time>.<body>".
route[REPORT] {
    $var(body) = "{\"call_id\":\"" + $(ci{s.escape.common}) + "\",\"event\":\"" + $var(event)
        + "\",\"at\":\"" + $TV(Sn) + "\",\"leg\":\"" + $var(leg) + "\",\"extension\":\""
        + $var(leg) + "\",\"caller\":\"" + $(avp(caller){s.escape.common}) + "\",\"line\":\""
        + $(avp(line){s.escape.common}) + "\"}";
    $var(ts) = "" + $Ts;
    $var(signed) = $var(ts) + "." + $var(body);
    crypto_hmac_sha256("$var(signed)", "@@SECRET@@", "$var(sig)");
    $var(hdr) = "X-Phone-Signature: exchange=@@EXCHANGE@@, t=" + $var(ts) + ", v1=" + $var(sig);
    http_client_query("@@EVENTS_URL@@", "$var(body)", "$var(hdr)", "$var(answer)");
    xlog("L_NOTICE", "charterdesk $var(event) $ci leg=$var(leg) -> $rc $var(answer)\n");
}
