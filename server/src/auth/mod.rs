//! Who the caller is and what they may do. So far: the RBAC policy in Argo CD `policy.csv`
//! syntax ([`policy`]); OIDC sign-in and sessions come later and hand a [`policy::Subject`] to it.

pub mod policy;
