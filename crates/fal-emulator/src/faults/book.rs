//! Fault rules set through `POST /_emulator/faults`, each firing on its next `times` matching calls.

use super::{Fault, LifecycleFaults};
use crate::stats::CallKind;
use serde_json::{Value, json};
use std::sync::Mutex;

/// A rule set through the control endpoint: fires on the next `remaining` matching calls.
#[derive(Clone, Debug)]
pub struct FaultRule {
    pub id: u64,
    pub fault: Fault,
    /// `None` matches every kind of call.
    pub on: Option<CallKind>,
    /// A model id, or an app (`fal-ai/flux`) matching each of its models.
    pub model: Option<String>,
    pub remaining: u32,
}

impl FaultRule {
    fn matches(&self, call: CallKind, model: Option<&str>) -> bool {
        let call_matches = self.on.is_none_or(|on| on == call);
        let applies =
            if self.fault.kind.is_lifecycle() { matches!(call, CallKind::Submit | CallKind::Sync) } else { true };
        let model_matches = match (&self.model, model) {
            (None, _) => true,
            (Some(wanted), Some(model)) => {
                model == wanted || model.strip_prefix(wanted.as_str()).is_some_and(|rest| rest.starts_with('/'))
            }
            (Some(_), None) => false,
        };
        call_matches && applies && model_matches
    }

    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "fault": self.fault.kind.name(),
            "on": self.on.map_or("any", CallKind::name),
            "model": self.model,
            "times": self.remaining,
            "retry_after": self.fault.retry_after,
            "field": self.fault.field,
            "delay_ms": self.fault.delay.as_millis() as u64,
        })
    }
}

#[derive(Default)]
pub struct FaultBook {
    rules: Mutex<(u64, Vec<FaultRule>)>,
}

impl FaultBook {
    /// Adds a rule and gives it an id.
    pub fn add(&self, fault: Fault, on: Option<CallKind>, model: Option<String>, times: u32) -> FaultRule {
        let mut book = crate::lock(&self.rules);
        book.0 += 1;
        let rule = FaultRule { id: book.0, fault, on, model, remaining: times };
        book.1.push(rule.clone());
        rule
    }

    pub fn clear(&self) {
        crate::lock(&self.rules).1.clear();
    }

    pub fn list(&self) -> Vec<FaultRule> {
        crate::lock(&self.rules).1.clone()
    }

    /// Consumes one firing of the first immediate rule matching this call.
    pub fn take_immediate(&self, call: CallKind, model: Option<&str>) -> Option<Fault> {
        let mut book = crate::lock(&self.rules);
        let rules = &mut book.1;
        let index = rules.iter().position(|rule| !rule.fault.kind.is_lifecycle() && rule.matches(call, model))?;
        Some(consume(rules, index))
    }

    /// Consumes one firing of every lifecycle rule matching a submit or sync call.
    pub fn take_lifecycle(&self, call: CallKind, model: Option<&str>) -> LifecycleFaults {
        let mut book = crate::lock(&self.rules);
        let rules = &mut book.1;
        let mut faults = LifecycleFaults::default();
        let mut index = 0;
        while index < rules.len() {
            if rules[index].fault.kind.is_lifecycle() && rules[index].matches(call, model) {
                let before = rules.len();
                faults.add(&consume(rules, index));
                if rules.len() < before {
                    continue;
                }
            }
            index += 1;
        }
        faults
    }
}

fn consume(rules: &mut Vec<FaultRule>, index: usize) -> Fault {
    rules[index].remaining = rules[index].remaining.saturating_sub(1);
    if rules[index].remaining == 0 { rules.remove(index).fault } else { rules[index].fault.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultKind;

    #[test]
    fn a_rule_fires_only_the_given_number_of_times() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::Http503), Some(CallKind::Status), None, 2);
        assert_eq!(book.take_immediate(CallKind::Submit, None), None);
        assert!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")).is_some());
        assert!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")).is_some());
        assert_eq!(book.take_immediate(CallKind::Status, Some("fal-ai/flux/dev")), None);
        assert!(book.list().is_empty());
    }

    #[test]
    fn a_model_filter_matches_the_model_and_the_models_of_an_app() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::Http500), None, Some("fal-ai/flux".into()), 3);
        assert_eq!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux-pro/v1.1")), None);
        assert_eq!(book.take_immediate(CallKind::Upload, None), None);
        assert!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux/dev")).is_some());
        assert!(book.take_immediate(CallKind::Submit, Some("fal-ai/flux")).is_some());
    }

    #[test]
    fn lifecycle_rules_attach_to_submits_and_leave_other_calls_alone() {
        let book = FaultBook::default();
        book.add(Fault::new(FaultKind::SlowQueue), None, None, 1);
        book.add(Fault::new(FaultKind::WebhookTwice), None, None, 1);
        assert_eq!(book.take_lifecycle(CallKind::Status, None), LifecycleFaults::default());
        let faults = book.take_lifecycle(CallKind::Submit, None);
        assert_eq!(faults.names(), vec!["slow_queue", "webhook_twice"]);
        assert!(book.list().is_empty());
    }
}
