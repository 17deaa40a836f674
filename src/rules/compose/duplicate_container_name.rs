//! `duplicate-container-name`: two services of one file with the same `container_name`.

use crate::analysis::compose_layout::value_site;
use crate::rules::prelude::*;

pub struct DuplicateContainerName;

impl Rule for DuplicateContainerName {
    fn check_compose(&self, cx: &mut Context<'_>, compose: &ComposeFile) {
        let yaml = &compose.yaml;
        for doc in &compose.documents {
            let mut first: Vec<(&str, &Service, Span)> = Vec::new();
            for service in &doc.services {
                let Some(name) = &service.container_name else {
                    continue;
                };
                // A name that interpolates to nothing here is compared as written: two services
                // naming the same `${NAME}` clash whenever it is set.
                let compared = if name.value.is_empty() && name.is_interpolated() {
                    name.raw.as_str()
                } else {
                    name.value.as_str()
                };
                if compared.is_empty() {
                    continue;
                }
                let site = value_site(yaml, service, "container_name", name);
                match first.iter().find(|(n, _, _)| *n == compared) {
                    Some((_, other, other_site)) => {
                        let message = format!(
                            "Service `{}` takes the container name `{}` that service `{}` already \
                             has: Docker allows one container per name, so `docker compose up` \
                             fails on the second; give each service its own name (or none, and \
                             let Compose name them)",
                            service.name.value, compared, other.name.value
                        );
                        cx.report(site, message)
                            .related
                            .push(Related::new(*other_site, "the first service with that name"));
                    }
                    None => first.push((compared, service, site)),
                }
            }
        }
    }
}
