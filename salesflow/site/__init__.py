"""The site: what sits above every app — the navigation, the home page, sign-in, language, API tokens, error
pages and the site-wide context processors. It may import any app; no app imports it."""
