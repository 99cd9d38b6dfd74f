//! `pseudata rules`: every mapping rule with what it writes and an example line.

use super::ExitStatus;
use crate::cli::RulesArgs;
use crate::rules::{closest_rule, RULES};

pub fn run(args: RulesArgs) -> anyhow::Result<ExitStatus> {
    let shown: Vec<_> = match &args.rule {
        None => RULES.iter().collect(),
        Some(name) => match RULES.iter().find(|r| r.name == name) {
            Some(rule) => vec![rule],
            None => {
                let hint = closest_rule(name).map_or_else(String::new, |r| format!(": did you mean `{r}`?"));
                anyhow::bail!("no rule `{name}`{hint} (`pseudata rules` lists them all)");
            }
        },
    };
    let mut out = String::new();
    for rule in shown {
        out.push_str(&format!("{}\n    {}\n    example:  {}\n\n", rule.name, rule.summary, rule.example));
    }
    if args.rule.is_none() {
        out.push_str(
            "A mapping names every column of a table under `columns:`; README.md, \"Mapping files\", has the rest.\n",
        );
        let roles: Vec<&str> = crate::mapping::Role::ALL.iter().map(|r| r.name()).collect();
        out.push_str(&format!(
            "\nRoles (optional `roles:` block: what a column means on a `case` sheet where its rule does not say):\n    {}\n    example:  roles: {{ amount: amount_eur, reimbursed: reimbursed_eur, code: nomenclature_code }}\n",
            roles.join(", ")
        ));
    }
    super::emit(&out, None)?;
    Ok(ExitStatus::Success)
}
