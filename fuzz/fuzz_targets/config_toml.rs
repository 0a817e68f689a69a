#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::config_toml(data));
