//! `invalid-base-image-platform`: the base image is not published for the stage's platform
//! (BuildKit's InvalidBaseImagePlatform). The platforms come from the options (the lock file,
//! or the registry with `check --online`).

use crate::model::dockerfile::{ImageSite, ImageTarget};
use crate::rules::prelude::*;
use crate::analysis::pin::TagRef;
use crate::syntax::image_ref::ImageRef;
use crate::syntax::platform::Platform;

pub struct InvalidBaseImagePlatform;

impl Rule for InvalidBaseImagePlatform {
    fn check_dockerfile(&self, cx: &mut Context<'_>, df: &Dockerfile) {
        let known = cx.options.image_platforms.clone();
        if known.is_empty() {
            return;
        }
        let build = cx.analysis().build;
        for stage in &df.stages {
            let Some(base) = df.images.get(stage.base) else {
                continue;
            };
            if base.site != ImageSite::From || base.target != ImageTarget::External {
                continue;
            }
            let Ok(r) = ImageRef::parse(&base.resolved) else {
                continue;
            };
            let Some(published) = lock_keys(&r).iter().find_map(|k| known.get(k)) else {
                continue;
            };
            let wanted = match stage.platform.as_deref() {
                Some(p) => match Platform::parse(p) {
                    Ok(p) => p,
                    // An invalid --platform is invalid-platform's finding.
                    Err(_) => continue,
                },
                None => build.target.clone(),
            };
            let platforms: Vec<Platform> = published
                .iter()
                .filter_map(|p| Platform::parse(p).ok())
                .collect();
            if platforms.is_empty() || platforms.iter().any(|p| p.same_os_arch(&wanted)) {
                continue;
            }
            let list = platforms
                .iter()
                .map(Platform::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            cx.report(
                base.span,
                format!(
                    "`{}` is published for {list}, not for {wanted}, the platform this stage is built for: BuildKit cannot find a matching image or runs one for another CPU under emulation",
                    base.resolved
                ),
            );
        }
    }
}

/// The lock-file keys of a reference: `registry/repository@digest` when pinned, and
/// `registry/repository:tag` when it names a tag (or nothing: `latest`).
fn lock_keys(r: &ImageRef<'_>) -> Vec<String> {
    let name_tag = match r.digest {
        Some(d) => r.text.get(..(d.start as usize).saturating_sub(1)).unwrap_or(""),
        None => r.text,
    };
    let Some(tagged) = ImageRef::parse(name_tag).ok().and_then(|n| TagRef::of(&n)) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    if let Some(d) = r.digest_str() {
        keys.push(format!("{}/{}@{d}", tagged.registry, tagged.repository));
    }
    if r.digest.is_none() || r.tag.is_some() {
        keys.push(tagged.to_string());
    }
    keys
}
