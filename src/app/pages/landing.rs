use crate::app::components::icon::{Icon, IconName};
use crate::app::components::logo::Logo;
use crate::app::components::theme_toggle::ThemeToggle;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

struct Feature {
    icon: IconName,
    title: &'static str,
    text: &'static str,
}

const FEATURES: &[Feature] = &[
    Feature {
        icon: IconName::Sparkles,
        title: "Many models, one studio",
        text: "FLUX, SDXL and more through fal.ai — or the built-in offline renderer when you have no key.",
    },
    Feature {
        icon: IconName::Layers,
        title: "Iterate without losing anything",
        text: "Variations, image-to-image, inpainting, upscaling and background removal, with every step's history.",
    },
    Feature {
        icon: IconName::Queue,
        title: "A queue that survives",
        text: "Batches and CSV imports run through a durable queue you can reorder, pause and resume — even across restarts.",
    },
    Feature {
        icon: IconName::Folder,
        title: "Organised your way",
        text: "Projects, collections, tags, ratings, favourites and a trash you can restore from.",
    },
    Feature {
        icon: IconName::Book,
        title: "A prompt library",
        text: "Save, tag and reuse prompts and templates; import and export them.",
    },
    Feature {
        icon: IconName::Share,
        title: "Real sharing",
        text: "Read-only links, optional passwords and expiry, embeds — you decide who sees what.",
    },
];

struct ModelCard {
    name: &'static str,
    maker: &'static str,
    best_for: &'static str,
    speed: u8,
    quality: u8,
}

const MODELS: &[ModelCard] = &[
    ModelCard {
        name: "FLUX.1 [dev]",
        maker: "Black Forest Labs",
        best_for: "Detailed, faithful images",
        speed: 3,
        quality: 4,
    },
    ModelCard {
        name: "FLUX.1 [schnell]",
        maker: "Black Forest Labs",
        best_for: "Fast drafts in four steps",
        speed: 5,
        quality: 3,
    },
    ModelCard {
        name: "FLUX1.1 [pro]",
        maker: "Black Forest Labs",
        best_for: "Top quality for final work",
        speed: 3,
        quality: 5,
    },
    ModelCard {
        name: "Stable Diffusion XL",
        maker: "Stability AI",
        best_for: "Classic styles, negative prompts",
        speed: 4,
        quality: 3,
    },
    ModelCard {
        name: "Atelier Sketch",
        maker: "Built in, offline",
        best_for: "Procedural previews with no key or network",
        speed: 5,
        quality: 1,
    },
];

struct Example {
    file: &'static str,
    prompt: &'static str,
}

const EXAMPLES: &[Example] = &[
    Example { file: "aurora-lake", prompt: "Aurora over a still mountain lake, long exposure" },
    Example { file: "neon-city", prompt: "Rain-soaked neon street at night, cinematic" },
    Example { file: "paper-birds", prompt: "Origami birds taking flight, soft studio light" },
    Example { file: "desert-bloom", prompt: "Desert flowers at golden hour, macro" },
    Example { file: "ocean-glass", prompt: "Sea glass on wet sand, pastel palette" },
    Example { file: "forest-spirit", prompt: "Misty forest clearing with a glowing spirit" },
];

const FAQ: &[(&str, &str)] = &[
    (
        "Do I need a fal.ai account?",
        "No. Without a key Atelier uses its built-in offline renderer, which makes procedural previews on your own machine. Add a FAL_KEY to generate with FLUX, SDXL and the other fal.ai models.",
    ),
    (
        "Where are my images stored?",
        "On your own server: on its disk by default, or in any S3-compatible bucket you configure. Nothing leaves your studio unless you share it.",
    ),
    (
        "What happens if the server restarts during a batch?",
        "The queue is durable. Jobs that were running resume where they stopped — a job already submitted to fal.ai is polled again rather than paid for twice.",
    ),
    (
        "How do credits work?",
        "Each model has a cost per image in credits, shown before you generate. New accounts start with a configurable balance, and a failed generation gives its credits back.",
    ),
    (
        "Can I use Atelier on my phone?",
        "Yes. The studio is responsive and installable as an app; pages you have visited stay available when the connection drops.",
    ),
];

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="" />
        <Meta name="description" content="Atelier is an AI image design studio: generate with FLUX and SDXL, iterate, organise and share your work." />
        <a href="#main" rel="external" class="skip-link">"Skip to content"</a>
        <LandingHeader />
        <main id="main" tabindex="-1">
            <Hero />
            <Features />
            <ModelShowcase />
            <ExampleGallery />
            <Faq />
            <CallToAction />
        </main>
        <Footer />
    }
}

#[component]
fn LandingHeader() -> impl IntoView {
    view! {
        <header class="sticky top-0 z-30 border-b border-border bg-bg/90 backdrop-blur">
            <nav aria-label="Main" class="mx-auto flex h-16 max-w-6xl items-center gap-4 px-4">
                <Logo />
                <ul class="ml-6 hidden gap-6 text-sm md:flex">
                    <li><a class="link-quiet" href="#features">"Features"</a></li>
                    <li><a class="link-quiet" href="#models">"Models"</a></li>
                    <li><a class="link-quiet" href="#gallery">"Gallery"</a></li>
                    <li><a class="link-quiet" href="#faq">"FAQ"</a></li>
                </ul>
                <div class="ml-auto flex items-center gap-2">
                    <ThemeToggle />
                    <a href="/login" class="btn btn-secondary hidden sm:inline-flex">"Sign in"</a>
                    <a href="/register" class="btn btn-primary">"Sign up"</a>
                </div>
            </nav>
        </header>
    }
}

#[component]
fn Hero() -> impl IntoView {
    view! {
        <section class="hero relative overflow-hidden" aria-labelledby="hero-heading">
            <div class="hero-glow" aria-hidden="true"></div>
            <div class="relative mx-auto grid max-w-6xl items-center gap-10 px-4 py-16 md:grid-cols-2 md:py-24">
                <div>
                    <p class="badge">"AI image design studio"</p>
                    <h1 id="hero-heading" class="mt-4 text-4xl font-bold tracking-tight sm:text-5xl lg:text-6xl">
                        "From a sentence to a " <span class="gradient-text">"finished image"</span>
                    </h1>
                    <p class="mt-6 max-w-xl text-lg text-muted">
                        "Generate with FLUX and SDXL, iterate with variations, inpainting and upscaling, and keep every result organised — in a studio you run yourself."
                    </p>
                    <div class="mt-8 flex flex-wrap gap-3">
                        <a href="/dashboard" class="btn btn-primary btn-lg">"Start creating"</a>
                        <a href="#gallery" class="btn btn-secondary btn-lg">"See examples"</a>
                    </div>
                    <p class="mt-4 text-sm text-muted">"No key needed to try it: the offline renderer works out of the box."</p>
                </div>
                <div class="grid grid-cols-2 gap-3" aria-hidden="true">
                    {EXAMPLES.iter().take(4).enumerate().map(|(i, example)| {
                        let offset = if i % 2 == 1 { "translate-y-6" } else { "" };
                        view! {
                            <img
                                src=format!("/examples/{}.webp", example.file)
                                alt=""
                                width="512"
                                height="512"
                                class=format!("aspect-square w-full rounded-xl object-cover shadow-lg {offset}")
                            />
                        }
                    }).collect_view()}
                </div>
            </div>
        </section>
    }
}

#[component]
fn Features() -> impl IntoView {
    view! {
        <section id="features" class="section" aria-labelledby="features-heading">
            <h2 id="features-heading" class="section-title">"Everything an image studio needs"</h2>
            <p class="section-lead">"Built for the things people ask of their tools every day."</p>
            <ul class="mt-10 grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
                {FEATURES.iter().map(|feature| view! {
                    <li class="card card-lift p-6">
                        <span class="flex h-10 w-10 items-center justify-center rounded-lg bg-primary/15 text-accent">
                            <Icon name=feature.icon />
                        </span>
                        <h3 class="mt-4 font-bold">{feature.title}</h3>
                        <p class="mt-2 text-sm text-muted">{feature.text}</p>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ModelShowcase() -> impl IntoView {
    view! {
        <section id="models" class="section" aria-labelledby="models-heading">
            <h2 id="models-heading" class="section-title">"Pick the right model for the job"</h2>
            <p class="section-lead">"Fast drafts, faithful details or final-quality renders."</p>
            <ul class="mt-10 flex snap-x gap-4 overflow-x-auto pb-4" aria-label="Models" tabindex="0">
                {MODELS.iter().map(|model| view! {
                    <li class="card w-64 shrink-0 snap-start p-5">
                        <h3 class="font-bold">{model.name}</h3>
                        <p class="text-sm text-muted">{model.maker}</p>
                        <p class="mt-3 text-sm">{model.best_for}</p>
                        <dl class="mt-4 space-y-2 text-sm">
                            <Meter label="Speed" value=model.speed />
                            <Meter label="Quality" value=model.quality />
                        </dl>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Meter(label: &'static str, value: u8) -> impl IntoView {
    view! {
        <div class="flex items-center justify-between gap-3">
            <dt class="text-muted">{label}</dt>
            <dd>
                <span class="flex gap-1" role="img" aria-label=format!("{label}: {value} of 5")>
                    {(1..=5u8).map(|i| {
                        let fill = if i <= value { "bg-primary" } else { "bg-border" };
                        view! { <span class=format!("h-2 w-5 rounded-full {fill}")></span> }
                    }).collect_view()}
                </span>
            </dd>
        </div>
    }
}

#[component]
fn ExampleGallery() -> impl IntoView {
    view! {
        <section id="gallery" class="section" aria-labelledby="gallery-heading">
            <h2 id="gallery-heading" class="section-title">"Made from a single line"</h2>
            <p class="section-lead">"Illustrations of the kind of prompt the studio takes."</p>
            <ul class="mt-10 grid grid-cols-2 gap-4 md:grid-cols-3">
                {EXAMPLES.iter().map(|example| view! {
                    <li>
                        <figure class="group card overflow-hidden">
                            <img
                                src=format!("/examples/{}.webp", example.file)
                                alt=example.prompt
                                loading="lazy"
                                width="512"
                                height="512"
                                class="aspect-square w-full object-cover transition-transform duration-300 group-hover:scale-105"
                            />
                            <figcaption class="p-3 font-mono text-xs text-muted">{example.prompt}</figcaption>
                        </figure>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Faq() -> impl IntoView {
    view! {
        <section id="faq" class="section max-w-3xl" aria-labelledby="faq-heading">
            <h2 id="faq-heading" class="section-title">"Questions, answered"</h2>
            <div class="mt-8 space-y-3">
                {FAQ.iter().map(|(question, answer)| view! {
                    <details class="card group p-5">
                        <summary class="cursor-pointer list-none font-bold marker:hidden">
                            <span class="flex items-center justify-between gap-4">
                                {*question}
                                <span class="text-accent transition-transform group-open:rotate-45" aria-hidden="true">"+"</span>
                            </span>
                        </summary>
                        <p class="mt-3 text-muted">{*answer}</p>
                    </details>
                }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn CallToAction() -> impl IntoView {
    view! {
        <section class="section">
            <div class="cta rounded-2xl p-10 text-center text-white">
                <h2 class="text-3xl font-bold">"Your next image is one prompt away"</h2>
                <p class="mx-auto mt-3 max-w-xl text-white/90">"Open the studio and start with the offline renderer, then add your fal.ai key when you are ready."</p>
                <a href="/register" class="btn btn-light btn-lg mt-6">"Create your account"</a>
            </div>
        </section>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="border-t border-border bg-surface">
            <div class="mx-auto grid max-w-6xl gap-8 px-4 py-10 sm:grid-cols-3">
                <div>
                    <Logo />
                    <p class="mt-3 text-sm text-muted">"An AI image design studio you run yourself."</p>
                </div>
                <nav aria-label="Product">
                    <h2 class="text-sm font-bold">"Product"</h2>
                    <ul class="mt-3 space-y-2 text-sm">
                        <li><a class="link-quiet" href="#features">"Features"</a></li>
                        <li><a class="link-quiet" href="#models">"Models"</a></li>
                        <li><a class="link-quiet" href="#faq">"FAQ"</a></li>
                    </ul>
                </nav>
                <nav aria-label="Studio">
                    <h2 class="text-sm font-bold">"Studio"</h2>
                    <ul class="mt-3 space-y-2 text-sm">
                        <li><a class="link-quiet" href="/dashboard">"Dashboard"</a></li>
                        <li><a class="link-quiet" href="/readyz">"Service status"</a></li>
                    </ul>
                </nav>
            </div>
            <p class="border-t border-border py-4 text-center text-xs text-muted">
                "Atelier · images generated by fal.ai models or the built-in offline renderer"
            </p>
        </footer>
    }
}
