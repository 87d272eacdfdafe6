//! The stand-in's gateway: HELLO, IDENTIFY → READY, heartbeat ACKs, and the dispatches
//! queued for the shard each connection identified as.

use super::*;

pub(super) async fn run_gateway(
    listener: TcpListener,
    events: mpsc::UnboundedSender<Event>,
    queues: Queues,
) {
    while let Ok((tcp, _)) = listener.accept().await {
        let events = events.clone();
        let queues = queues.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
            if ws.send(Message::text(hello.to_string())).await.is_err() {
                return;
            }
            let mut seq = 1u64;
            // The shard's queue, once IDENTIFY says which shard this connection is.
            let mut queue: Option<tokio::sync::OwnedMutexGuard<mpsc::UnboundedReceiver<Dispatch>>> =
                None;
            loop {
                tokio::select! {
                    msg = ws.next() => {
                        let Some(Ok(msg)) = msg else { return };
                        let Ok(text) = msg.to_text() else { continue };
                        let Ok(v) = serde_json::from_str::<Value>(text) else { continue };
                        match v["op"].as_u64() {
                            Some(2) => {
                                let identify = Event::Identify(v["d"].clone());
                                let [id, count] = identify.identified_shard().unwrap_or([0, 1]);
                                let _ = events.send(identify);
                                let ready_ev = json!({"op": 0, "s": seq, "t": "READY", "d": {
                                    "v": 10, "user": {"id": APP_ID, "username": "archie", "discriminator": "0", "bot": true},
                                    "guilds": [], "session_id": "fake-session", "resume_gateway_url": "ws://unused",
                                    "shard": [id, count], "application": {"id": APP_ID, "flags": 0}}});
                                seq += 1;
                                if ws.send(Message::text(ready_ev.to_string())).await.is_err() { return; }
                                queue = Some(queues.get(id).1.lock_owned().await);
                            }
                            Some(1) if ws.send(Message::text(json!({"op": 11}).to_string())).await.is_err() => return,
                            _ => {}
                        }
                    }
                    Some((t, d)) = async { queue.as_mut()?.recv().await }, if queue.is_some() => {
                        let ev = json!({"op": 0, "s": seq, "t": t, "d": d});
                        seq += 1;
                        if ws.send(Message::text(ev.to_string())).await.is_err() { return; }
                    }
                }
            }
        });
    }
}
