//! Reads the policy values Group Policy and Intune write. Compiled only on
//! Windows; the conversion it feeds (`table_from_values`) is tested on every
//! platform. Verified only on a real Windows machine (README checklist).

use winreg::enums::{HKEY_LOCAL_MACHINE, KEY_READ};
use winreg::types::FromRegValue;
use winreg::RegKey;

use super::{PolicyValue, POLICY_KEY};

/// Every value under `HKLM\SOFTWARE\Policies\MFA Assistant`; none when the
/// key does not exist.
pub fn policy_values() -> Result<Vec<(String, PolicyValue)>, String> {
    let key = match RegKey::predef(HKEY_LOCAL_MACHINE).open_subkey_with_flags(POLICY_KEY, KEY_READ)
    {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    let mut values = Vec::new();
    for item in key.enum_values() {
        let (name, raw) = item.map_err(|e| format!("cannot be read: {e}"))?;
        let value = match raw.vtype {
            winreg::enums::REG_DWORD => {
                u32::from_reg_value(&raw).map(|n| PolicyValue::Number(i64::from(n)))
            }
            winreg::enums::REG_MULTI_SZ => {
                Vec::<String>::from_reg_value(&raw).map(PolicyValue::List)
            }
            _ => String::from_reg_value(&raw).map(PolicyValue::Text),
        }
        .map_err(|e| format!("value `{name}` cannot be read: {e}"))?;
        values.push((name, value));
    }
    Ok(values)
}
