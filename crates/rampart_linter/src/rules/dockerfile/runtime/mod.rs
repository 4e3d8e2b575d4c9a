//! How the image behaves when it runs: ports, health, PID 1, working directory, and
//! instruction-level correctness.

use super::dockerfile_rules;

dockerfile_rules!();
