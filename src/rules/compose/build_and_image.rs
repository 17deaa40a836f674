//! `build-and-image`: a service with both `build` and `image` and no `pull_policy`.

use crate::analysis::compose_layout::key_site;
use crate::rules::prelude::*;

pub struct BuildAndImage;

impl Rule for BuildAndImage {
    fn check_service(&self, cx: &mut Context<'_>, service: &Service) {
        let (Some(build), Some(image)) = (&service.build, &service.image) else {
            return;
        };
        let Some(compose) = cx.compose() else { return };
        let yaml = &compose.yaml;
        // With a pull policy the pair is deliberate: `build` says how to make the image when it
        // cannot be pulled, `image` names it.
        if cx.options.pull_policy_settles_build_and_image
            && yaml.lookup(service.node, "pull_policy").is_some()
        {
            return;
        }
        let span = key_site(yaml, service, "build").unwrap_or(build.span);
        let name = &service.name.value;
        cx.report(
            span,
            format!(
                "Service `{name}` has both `build` and `image` (`{}`): `docker compose pull` \
                 tries to pull `{}` and `up` uses whichever it finds, so a stale or foreign \
                 image can run instead of the build; keep one of them, or say which wins with \
                 `pull_policy: build` (or `never`)",
                image.raw, image.raw
            ),
        )
        .related
        .push(Related::new(image.span, "the `image` tag"));
    }
}
