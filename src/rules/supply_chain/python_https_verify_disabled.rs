//! `python-https-verify-disabled`: `PYTHONHTTPSVERIFY=0` turns off certificate verification for Python's HTTPS clients. The places are found once per file by
//! [`crate::analysis::trust`].

use crate::analysis::trust::Weakening;
use crate::rules::prelude::*;

pub struct PythonHttpsVerifyDisabled;

impl Rule for PythonHttpsVerifyDisabled {
    fn check_dockerfile(&self, cx: &mut Context<'_>, _df: &Dockerfile) {
        let found = cx.analysis().weakenings();
        for w in found.iter().filter(|w| w.kind == Weakening::PythonHttpsVerify) {
            cx.report(
                w.span,
                format!(
                    "{}{} turns off certificate verification in Python's standard HTTPS clients (urllib, http.client, pip's fallbacks) for every process that inherits it: any server can impersonate any other; remove it, and add a private CA to the trust store or point `SSL_CERT_FILE` at it",
                    w.shown(),
                    w.place()
                ),
            );
        }
    }
}
