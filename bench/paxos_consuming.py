#!/usr/bin/env python3
"""stateright's examples/paxos.rs with synccheck's delivery semantics, for the
cross-check in BENCHMARKS.md ("synccheck vs stateright's checker (issue 15)").

Reads stateright 0.31's examples/paxos.rs (from the cargo registry; never copied into
this repository) and writes a variant that differs in exactly what synccheck's port
(examples/peers/paxos.rs) differs in:
- every delivery is a step: each actor is wrapped in `Consuming`, which makes its
  state owned after every message, so stateright never treats a delivery as a no-op
  that leaves the message in flight;
- an undecided server sends a `Get` back to itself (the port's deferral), and a
  decided server answers a `Get` from itself to the client (request id 2 x client id);
- the history records an invocation only for a client's `Put`/`Get` and a return only
  when the client awaits that request (the port's client records in its handler),
  with what each client awaits kept beside the tester (a function of the clients'
  states: it adds no state).
The variant's unique-state counts must equal the port's (`peer_paxos`, network (a)):
that is the evidence that the port is stateright's protocol and that the count gap
is the delivery semantics alone. bench/peers.sh builds and runs it.

Usage: paxos_consuming.py IN_PAXOS_RS OUT_RS
"""
import sys


def replace(text, old, new):
    if text.count(old) != 1:
        sys.exit(f"paxos_consuming.py: expected exactly one occurrence of {old[:60]!r}")
    return text.replace(old, new)


WRAPPERS = '''            Get(request_id) => o.send(id, Get(request_id)),
            _ => {}
        }
    }
}

/// Every delivery is a step (synccheck consumes every delivered message).
#[derive(Clone)]
struct Consuming<A>(A);

impl<A: Actor> Actor for Consuming<A> {
    type Msg = A::Msg;
    type State = A::State;
    type Timer = A::Timer;
    type Random = A::Random;
    type Storage = A::Storage;

    fn on_start(&self, id: Id, storage: &Option<Self::Storage>, o: &mut Out<Self>) -> Self::State {
        let mut inner = Out::new();
        let state = self.0.on_start(id, storage, &mut inner);
        o.append(&mut inner);
        state
    }

    fn on_msg(&self, id: Id, state: &mut Cow<Self::State>, src: Id, msg: Self::Msg, o: &mut Out<Self>) {
        let mut inner = Out::new();
        self.0.on_msg(id, state, src, msg, &mut inner);
        o.append(&mut inner);
        state.to_mut();
    }
}

/// The tester plus what each client awaits.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Hist {
    tester: LinearizabilityTester<Id, Register<Value>>,
    awaiting: [Option<u64>; 3],
}

fn hist_out(_: &PaxosModelCfg, h: &Hist, env: Envelope<&<PaxosActor as Actor>::Msg>) -> Option<Hist> {
    let c = usize::from(env.src);
    if c < 3 {
        return None;
    }
    let mut h = h.clone();
    match env.msg {
        Put(req, v) => {
            h.awaiting[c - 3] = Some(*req);
            let _ = h.tester.on_invoke(env.src, RegisterOp::Write(*v));
        }
        Get(req) => {
            h.awaiting[c - 3] = Some(*req);
            let _ = h.tester.on_invoke(env.src, RegisterOp::Read);
        }
        _ => return None,
    }
    Some(h)
}

fn hist_in(_: &PaxosModelCfg, h: &Hist, env: Envelope<&<PaxosActor as Actor>::Msg>) -> Option<Hist> {
    let c = usize::from(env.dst);
    if c < 3 {
        return None;
    }
    let (req, ret) = match env.msg {
        PutOk(req) => (*req, RegisterRet::WriteOk),
        GetOk(req, v) => (*req, RegisterRet::ReadOk(*v)),
        _ => return None,
    };
    if h.awaiting[c - 3] != Some(req) {
        return None;
    }
    let mut h = h.clone();
    h.awaiting[c - 3] = None;
    let _ = h.tester.on_return(env.dst, ret);
    Some(h)
}
'''


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], encoding="utf-8") as f:
        s = f.read()
    s = replace(
        s,
        "use stateright::actor::{majority, model_peers, Actor, ActorModel, Id, Network, Out};",
        "use stateright::actor::{majority, model_peers, Actor, ActorModel, Envelope, Id, Network, Out};\n"
        "use stateright::semantics::register::{RegisterOp, RegisterRet};\n"
        "use stateright::semantics::ConsistencyTester;",
    )
    s = replace(
        s,
        "                o.send(src, GetOk(request_id, value));",
        "                let dst = if src == id { Id::from((request_id / 2) as usize) } else { src };\n"
        "                o.send(dst, GetOk(request_id, value));",
    )
    s = replace(s, "            _ => {}\n        }\n    }\n}\n", WRAPPERS)
    s = replace(
        s,
        "    ) -> ActorModel<RegisterActor<PaxosActor>, Self, LinearizabilityTester<Id, Register<Value>>>\n",
        "    ) -> ActorModel<Consuming<RegisterActor<PaxosActor>>, Self, Hist>\n",
    )
    s = replace(
        s,
        "            LinearizabilityTester::new(Register(Value::default())),\n        )",
        "            Hist { tester: LinearizabilityTester::new(Register(Value::default())), awaiting: [None; 3] },\n        )",
    )
    s = replace(
        s,
        "            RegisterActor::Server(PaxosActor {\n"
        "                peer_ids: model_peers(i, self.server_count),\n"
        "            })\n",
        "            Consuming(RegisterActor::Server(PaxosActor {\n"
        "                peer_ids: model_peers(i, self.server_count),\n"
        "            }))\n",
    )
    s = replace(
        s,
        "        .actors((0..self.client_count).map(|_| RegisterActor::Client {\n"
        "            put_count: 1,\n"
        "            server_count: self.server_count,\n"
        "        }))",
        "        .actors((0..self.client_count).map(|_| Consuming(RegisterActor::Client {\n"
        "            put_count: 1,\n"
        "            server_count: self.server_count,\n"
        "        })))",
    )
    s = replace(
        s,
        "state.history.serialized_history().is_some()",
        "state.history.tester.serialized_history().is_some()",
    )
    s = replace(
        s,
        ".record_msg_in(RegisterMsg::record_returns)\n        .record_msg_out(RegisterMsg::record_invocations)",
        ".record_msg_in(hist_in)\n        .record_msg_out(hist_out)",
    )
    # The example's test pins the original's counts; the variant has its own.
    start = s.index("#[cfg(test)]\n#[test]\nfn can_model_paxos")
    s = s[:start] + s[s.index("fn main()"):]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(s)


if __name__ == "__main__":
    main()
