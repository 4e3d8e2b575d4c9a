//! Tools left in the final image that an attacker could use: servers, compilers, debuggers,
//! downloaders, shells and package managers.

use super::dockerfile_rules;

dockerfile_rules!();
