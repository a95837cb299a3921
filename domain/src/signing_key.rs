//! The `SigningKey` aggregate (`signing_key:ledger`): the ledger's signing keys over time.
//!
//! Each rotation is one `KeyRotated` event holding the handover both keys signed (the
//! log's origin, the old key, the new key and the first ledger position the new key
//! signs; docs/LEDGER-FORMAT.md §8.4). The event is recorded, hashed and signed with the
//! old key while the ledger is otherwise still, so it sits at the position just before
//! the new key's first. The signatures themselves are checked by the edge with the
//! `ledger-format` crate before the command is sent; the rules here keep the chain of keys
//! whole: each handover starts from the key the previous one handed to, and the positions
//! only move forward.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// The one instance's id.
pub const SIGNING_KEY_ID: &str = "ledger";

/// A handover, as the ledger records it (the same members as `ledger_format::Handover`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyHandover {
    pub from_position: u64,
    pub old_key: String,
    pub new_key: String,
    pub old_signature: String,
    pub new_signature: String,
}

/// The commands of the signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum SigningKeyCommand {
    /// Records a handover from the current key to a new one.
    Rotate { handover: KeyHandover },
}

impl SigningKeyCommand {
    pub fn name(&self) -> &'static str {
        match self {
            SigningKeyCommand::Rotate { .. } => "rotate_key",
        }
    }
}

crate::dated_command!(SigningKeyCommand, |command| match command {
    SigningKeyCommand::Rotate { .. } => Undated,
});

/// The events of the signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigningKeyEvent {
    KeyRotated(KeyHandover),
}

impl DomainEvent for SigningKeyEvent {
    fn event_type(&self) -> String {
        match self {
            SigningKeyEvent::KeyRotated(_) => "KeyRotated".to_string(),
        }
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a rotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    #[error("the handover starts from {given}, but the ledger's current key is {current}")]
    NotFromCurrentKey { given: String, current: String },
    #[error("the new key is the key it replaces")]
    SameKey,
    #[error("from_position {given} does not come after the previous handover's ({previous})")]
    PositionNotForward { given: u64, previous: u64 },
}

impl SigningKeyError {
    pub fn rule(&self) -> &'static str {
        match self {
            SigningKeyError::NotFromCurrentKey { .. } => "key_handover_not_from_current_key",
            SigningKeyError::SameKey => "key_handover_same_key",
            SigningKeyError::PositionNotForward { .. } => "key_handover_position_not_forward",
        }
    }
}

/// The keys handed over so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKey {
    pub handovers: Vec<KeyHandover>,
}

impl SigningKey {
    /// The key the last handover handed to, if the key was ever rotated.
    pub fn current(&self) -> Option<&str> {
        self.handovers.last().map(|h| h.new_key.as_str())
    }
}

pub fn decide(state: &SigningKey, command: SigningKeyCommand) -> Result<Vec<SigningKeyEvent>, SigningKeyError> {
    match command {
        SigningKeyCommand::Rotate { handover } => {
            if let Some(current) = state.current() {
                if handover.old_key != current {
                    return Err(SigningKeyError::NotFromCurrentKey {
                        given: handover.old_key,
                        current: current.to_string(),
                    });
                }
            }
            if handover.old_key == handover.new_key {
                return Err(SigningKeyError::SameKey);
            }
            let previous = state.handovers.last().map_or(0, |h| h.from_position);
            if handover.from_position <= previous {
                return Err(SigningKeyError::PositionNotForward { given: handover.from_position, previous });
            }
            Ok(vec![SigningKeyEvent::KeyRotated(handover)])
        }
    }
}

pub fn evolve(state: &mut SigningKey, event: SigningKeyEvent) {
    match event {
        SigningKeyEvent::KeyRotated(handover) => state.handovers.push(handover),
    }
}

impl Aggregate for SigningKey {
    const TYPE: &'static str = "signing_key";
    type Command = SigningKeyCommand;
    type Event = SigningKeyEvent;
    type Error = SigningKeyError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve(self, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handover(old: &str, new: &str, from_position: u64) -> KeyHandover {
        KeyHandover {
            from_position,
            old_key: old.into(),
            new_key: new.into(),
            old_signature: "s1".into(),
            new_signature: "s2".into(),
        }
    }

    fn rotated(handovers: &[KeyHandover]) -> SigningKey {
        let mut state = SigningKey::default();
        for h in handovers {
            evolve(&mut state, SigningKeyEvent::KeyRotated(h.clone()));
        }
        state
    }

    #[test]
    fn the_first_rotation_is_recorded_and_the_next_starts_from_its_key() {
        let first = handover("a", "b", 10);
        let events = decide(&SigningKey::default(), SigningKeyCommand::Rotate { handover: first.clone() }).unwrap();
        assert_eq!(events, vec![SigningKeyEvent::KeyRotated(first.clone())]);
        let state = rotated(&[first]);
        assert_eq!(state.current(), Some("b"));
        assert!(decide(&state, SigningKeyCommand::Rotate { handover: handover("b", "c", 20) }).is_ok());
    }

    #[test]
    fn a_broken_chain_a_same_key_and_a_backward_position_are_refused() {
        let state = rotated(&[handover("a", "b", 10)]);
        let rule = |h: KeyHandover| decide(&state, SigningKeyCommand::Rotate { handover: h }).unwrap_err().rule();
        assert_eq!(rule(handover("a", "c", 20)), "key_handover_not_from_current_key");
        assert_eq!(rule(handover("b", "b", 20)), "key_handover_same_key");
        assert_eq!(rule(handover("b", "c", 10)), "key_handover_position_not_forward");
        assert_eq!(
            decide(&SigningKey::default(), SigningKeyCommand::Rotate { handover: handover("a", "b", 0) })
                .unwrap_err()
                .rule(),
            "key_handover_position_not_forward"
        );
    }
}
