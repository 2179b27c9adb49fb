/*
 * ike_state.c — the IKE SA state machine as data: one row per (state,
 * exchange, request/response/local action, role) with the RFC 7296 flow
 * it implements above it, and the one state setter every change goes
 * through (it checks the change is in the table, emits
 * {"ev":"state","from":..,"to":..} and counts).
 *
 *   client                                       gateway
 *   NONE --start--> INIT_SENT                    NONE --IKE_SA_INIT req--> INIT_DONE
 *   INIT_SENT --IKE_SA_INIT resp--> AUTH_SENT    INIT_DONE --IKE_AUTH req--> ESTABLISHED
 *   AUTH_SENT --IKE_AUTH resp--> ESTABLISHED
 *   ESTABLISHED --close--> DELETING --INFORMATIONAL resp--> DEAD
 *   any --(failure, timeout, D(IKE) received)--> DEAD
 *
 * Processors return a verdict: NEXT (the row's next state), STAY, END
 * (DEAD) or DROP (ignored). Messages without a row are dropped.
 */
#include "ref/ike/ike_engine.h"

#include <stdio.h>

const char *ike_state_name(int s)
{
	static const char *const names[] = {
#define IKE_X_(n, s) s,
		IKE_STATE_LIST(IKE_X_)
#undef IKE_X_
	};

	return s >= 0 && s < IKE_S_COUNT ? names[s] : "?";
}

const struct ike_transition ike_transitions[] = {
	/*
	 * client connects (§1.2):
	 *   HDR, SAi1, KEi, Ni, N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
	 *        N(IKEV2_FRAGMENTATION_SUPPORTED), [N(SIGNATURE_HASH_ALGORITHMS)]  -->
	 */
	{.state = IKE_S_NONE, .exchange = IKE_SA_INIT, .on = IKE_ON_START, .role = IKE_R_INITIATOR,
	 .process = ike_init_on_start, .next = IKE_S_INIT_SENT,
	 .flow = "HDR, SAi1, KEi, Ni, N(NAT_D*), N(FRAG_SUP) -->"},
	/*
	 * gateway answers (§1.2), unless COOKIE / INVALID_KE_PAYLOAD / NO_PROPOSAL_CHOSEN
	 * were answered statelessly before an SA existed (ike_init_gateway_accept):
	 *   HDR, SAi1, KEi, Ni, N(NAT_D*) -->
	 *                  <-- HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_D*), N(FRAG_SUP)
	 */
	{.state = IKE_S_NONE, .exchange = IKE_SA_INIT, .on = IKE_ON_REQUEST, .role = IKE_R_RESPONDER,
	 .process = ike_init_on_request, .next = IKE_S_INIT_DONE,
	 .flow = "HDR, SAi1, KEi, Ni --> <-- HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_D*)"},
	/*
	 * client gets the answer and authenticates (§1.2, §2.6, §2.15):
	 *                  <-- HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_D*)
	 *   HDR, SK {IDi, [CERT+], [N(INITIAL_CONTACT)], [CERTREQ], [IDr], AUTH,
	 *            [CP(CFG_REQUEST)], SAi2, TSi, TSr}  -->
	 * or, STAY:        <-- HDR, N(COOKIE)              resend with N(COOKIE) first
	 *                  <-- HDR, N(INVALID_KE_PAYLOAD)  resend with the KE group asked for
	 */
	{.state = IKE_S_INIT_SENT, .exchange = IKE_SA_INIT, .on = IKE_ON_RESPONSE, .role = IKE_R_INITIATOR,
	 .process = ike_init_on_response, .next = IKE_S_AUTH_SENT,
	 .flow = "<-- HDR, SAr1, KEr, Nr, [CERTREQ]; HDR, SK {IDi, [CERT+], AUTH, [CP], SAi2, TSi, TSr} -->"},
	/*
	 * gateway authenticates the client and creates the first CHILD SA (§1.2, §2.9):
	 *   HDR, SK {IDi, [CERT+], AUTH, [CP(CFG_REQUEST)], SAi2, TSi, TSr} -->
	 *                  <-- HDR, SK {IDr, [CERT+], AUTH, [CP(CFG_REPLY)], SAr2, TSi, TSr}
	 * or END:          <-- HDR, SK {N(AUTHENTICATION_FAILED)}          (§2.21.2)
	 */
	{.state = IKE_S_INIT_DONE, .exchange = IKE_AUTH, .on = IKE_ON_REQUEST, .role = IKE_R_RESPONDER,
	 .process = ike_authx_on_request, .next = IKE_S_ESTABLISHED,
	 .flow = "HDR, SK {IDi, AUTH, SAi2, TSi, TSr} --> <-- HDR, SK {IDr, AUTH, SAr2, TSi, TSr}"},
	/*
	 * client checks the gateway's AUTH and installs the CHILD SA:
	 *                  <-- HDR, SK {IDr, [CERT+], AUTH, [CP(CFG_REPLY)], SAr2, TSi, TSr}
	 * (SAr2 replaced by N(NO_PROPOSAL_CHOSEN | TS_UNACCEPTABLE): the IKE SA is up
	 * without a CHILD SA, §1.2; proposals = auto then retries in CREATE_CHILD_SA)
	 */
	{.state = IKE_S_AUTH_SENT, .exchange = IKE_AUTH, .on = IKE_ON_RESPONSE, .role = IKE_R_INITIATOR,
	 .process = ike_authx_on_response, .next = IKE_S_ESTABLISHED,
	 .flow = "<-- HDR, SK {IDr, [CERT+], AUTH, [CP], SAr2, TSi, TSr}"},
	/*
	 * a new CHILD SA (§1.3.1), either side:
	 *   HDR, SK {SA, Ni, [KEi], TSi, TSr} -->
	 *                  <-- HDR, SK {SA, Nr, [KEr], TSi, TSr}
	 */
	{.state = IKE_S_ESTABLISHED, .exchange = IKE_CREATE_CHILD_SA, .on = IKE_ON_REQUEST, .role = IKE_R_ANY,
	 .process = ike_child_on_request, .next = IKE_S_ESTABLISHED,
	 .flow = "HDR, SK {SA, Ni, [KEi], TSi, TSr} --> <-- HDR, SK {SA, Nr, [KEr], TSi, TSr}"},
	{.state = IKE_S_ESTABLISHED, .exchange = IKE_CREATE_CHILD_SA, .on = IKE_ON_RESPONSE, .role = IKE_R_ANY,
	 .process = ike_child_on_response, .next = IKE_S_ESTABLISHED,
	 .flow = "<-- HDR, SK {SA, Nr, [KEr], TSi, TSr}"},
	/*
	 * an IKE SA born from a rekey (§1.3.2) starts established:
	 *   HDR, SK {SA, Ni, KEi} -->
	 *                  <-- HDR, SK {SA, Nr, KEr}
	 */
	{.state = IKE_S_NONE, .exchange = IKE_CREATE_CHILD_SA, .on = IKE_ON_REKEYED, .role = IKE_R_ANY,
	 .process = ike_rekey_on_new, .next = IKE_S_ESTABLISHED,
	 .flow = "HDR, SK {SA, Ni, KEi} --> <-- HDR, SK {SA, Nr, KEr} (the new IKE SA)"},
	/*
	 * INFORMATIONAL (§1.4), either side; END when it deletes the IKE SA:
	 *   HDR, SK {[N,] [D,] [CP]} -->  (empty: liveness check, §2.4)
	 *                  <-- HDR, SK {[N,] [D,] [CP]}
	 */
	{.state = IKE_S_ESTABLISHED, .exchange = IKE_INFORMATIONAL, .on = IKE_ON_REQUEST, .role = IKE_R_ANY,
	 .process = ike_info_on_request, .next = IKE_S_ESTABLISHED,
	 .flow = "HDR, SK {[N,] [D,] [CP]} --> <-- HDR, SK {[N,] [D,] [CP]}"},
	{.state = IKE_S_ESTABLISHED, .exchange = IKE_INFORMATIONAL, .on = IKE_ON_RESPONSE, .role = IKE_R_ANY,
	 .process = ike_info_on_response, .next = IKE_S_ESTABLISHED,
	 .flow = "<-- HDR, SK {[N,] [D,] [CP]}"},
	/*
	 * closing (§1.4.1):
	 *   HDR, SK {D(IKE)} -->
	 *                  <-- HDR, SK {}
	 */
	{.state = IKE_S_ESTABLISHED, .exchange = IKE_INFORMATIONAL, .on = IKE_ON_CLOSE, .role = IKE_R_ANY,
	 .process = ike_info_on_close, .next = IKE_S_DELETING, .flow = "HDR, SK {D(IKE)} -->"},
	{.state = IKE_S_DELETING, .exchange = IKE_INFORMATIONAL, .on = IKE_ON_RESPONSE, .role = IKE_R_ANY,
	 .process = ike_info_on_response, .next = IKE_S_DEAD, .flow = "<-- HDR, SK {}"},
	/*
	 * a CHILD SA or rekey request while our DELETE is out (§2.25.1, §2.25.2):
	 *   HDR, SK {SA, Ni, [KEi], TSi, TSr} -->   <-- HDR, SK {N(TEMPORARY_FAILURE)}
	 */
	{.state = IKE_S_DELETING, .exchange = IKE_CREATE_CHILD_SA, .on = IKE_ON_REQUEST, .role = IKE_R_ANY,
	 .process = ike_child_on_request, .next = IKE_S_DELETING,
	 .flow = "HDR, SK {SA, Ni, [KEi], TSi, TSr} --> <-- HDR, SK {N(TEMPORARY_FAILURE)} (§2.25)"},
	/* the peer's request while our DELETE is out (e.g. its own DELETE crossing ours) */
	{.state = IKE_S_DELETING, .exchange = IKE_INFORMATIONAL, .on = IKE_ON_REQUEST, .role = IKE_R_ANY,
	 .process = ike_info_on_request, .next = IKE_S_DELETING,
	 .flow = "HDR, SK {D(IKE)} --> <-- HDR, SK {} (§1.4.1 simultaneous delete)"},
};

const size_t ike_n_transitions = sizeof ike_transitions / sizeof ike_transitions[0];

const struct ike_transition *ike_state_find(enum ike_sa_state s, uint8_t exchange, enum ike_on on, int initiator)
{
	for (size_t i = 0; i < ike_n_transitions; i++) {
		const struct ike_transition *t = &ike_transitions[i];

		if (t->state != s || t->exchange != exchange || t->on != on)
			continue;
		if (t->role == IKE_R_INITIATOR && !initiator)
			continue;
		if (t->role == IKE_R_RESPONDER && initiator)
			continue;
		return t;
	}
	return NULL;
}

int ike_state_allowed(enum ike_sa_state from, enum ike_sa_state to)
{
	if (to == IKE_S_DEAD || from == to)
		return 1;
	for (size_t i = 0; i < ike_n_transitions; i++)
		if (ike_transitions[i].state == from && ike_transitions[i].next == to)
			return 1;
	return 0;
}

int ike_state_set(struct ike_sa *sa, enum ike_sa_state to, const char *why)
{
	struct evbuf b;
	enum ike_sa_state from = sa->state;

	if (from == to)
		return 0;
	if (!ike_state_allowed(from, to)) {
		ike_ev_begin(&b, sa->eng, sa, "error");
		ev_str(&b, "msg", "state change not in the transition table");
		ev_str(&b, "from", ike_state_name(from));
		ev_str(&b, "to", ike_state_name(to));
		ike_ev_emit(sa->eng, &b);
		return -1;
	}
	ike_sa_touch(sa);
	if (from == IKE_S_INIT_DONE)
		sa->eng->ix.n_half_open--;
	if (to == IKE_S_INIT_DONE)
		sa->eng->ix.n_half_open++;
	if (to == IKE_S_DEAD)
		sa->eng->ix.n_dead++;
	sa->state = to;
	sa->counts.state_changes++;
	sa->eng->counts.state_changes++;
	if (!ike_ev_on(sa->eng))
		return 0;
	ike_ev_begin(&b, sa->eng, sa, "state");
	ev_str(&b, "from", ike_state_name(from));
	ev_str(&b, "to", ike_state_name(to));
	if (why != NULL)
		ev_str(&b, "why", why);
	ike_ev_emit(sa->eng, &b);
	return 0;
}

enum ike_verdict ike_state_run(struct ike_sa *sa, uint8_t exchange, enum ike_on on, struct ike_rx *rx)
{
	const struct ike_transition *t = ike_state_find(sa->state, exchange, on, sa->initiator);
	enum ike_verdict v;

	if (t == NULL) {
		char msg[160];

		snprintf(msg, sizeof msg, "%s %s in state %s: no transition, expected one listed in ike_state.c",
			 ike_exchange_name(exchange),
			 on == IKE_ON_REQUEST ? "request" : on == IKE_ON_RESPONSE ? "response" : "action",
			 ike_state_name(sa->state));
		ike_ev_drop(sa->eng, sa, "unexpected", msg);
		return IKE_V_DROP;
	}
	v = t->process(sa, rx);
	switch (v) {
	case IKE_V_NEXT:
		if (sa->state != t->state)
			break; /* the processor already moved on (e.g. a rekey closing this SA) */
		if (t->next == IKE_S_DEAD)
			ike_sa_die(sa, "deleted");
		else
			ike_state_set(sa, t->next, NULL);
		break;
	case IKE_V_END:
		if (sa->state != IKE_S_DEAD)
			ike_sa_die(sa, "ended");
		break;
	case IKE_V_STAY:
	case IKE_V_DROP:
		break;
	}
	return v;
}
