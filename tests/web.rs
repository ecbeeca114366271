//! The web pages as a browser gets them from `interlink up`: in the four
//! languages (cookie, then Accept-Language, then the deployment's
//! default), with the catalogue's answers, their security headers and
//! their content-named files.

mod common;

use common::serve_up;

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn get(http: &reqwest::Client, url: &str, headers: &[(&str, &str)]) -> Page {
    let mut request = http.get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the page answers");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

#[tokio::test]
async fn pages_speak_the_visitors_language_and_show_the_catalogue() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            (
                "INTERLINK__GATEWAY__WEB__SITE_NAME",
                "Zaragoza Participa".into(),
            ),
            ("INTERLINK__GATEWAY__WEB__DEFAULT_LANGUAGE", "it".into()),
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The home page in each language the header asks for.
    for (accept, lang, title) in [
        (
            "en-GB,en;q=0.9",
            "en",
            "Co-produce public services together",
        ),
        ("es-ES", "es", "Coproduzcamos juntos los servicios públicos"),
        ("it", "it", "Co-produciamo insieme i servizi pubblici"),
        (
            "lv, en;q=0.5",
            "lv",
            "Kopīgi veidosim publiskos pakalpojumus",
        ),
        // None of the four: the deployment's default.
        ("de-DE", "it", "Co-produciamo insieme i servizi pubblici"),
    ] {
        let page = get(&http, &format!("{base}/"), &[("accept-language", accept)]).await;
        assert_eq!(page.status, 200, "{accept}");
        assert!(
            page.body.contains(&format!("<html lang=\"{lang}\">")),
            "{accept}"
        );
        assert!(page.body.contains(title), "{accept}: {}", page.body);
        assert!(page.body.contains("Zaragoza Participa"));
        assert_eq!(page.headers["content-language"], lang);
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/html")
        );
        let csp = page.headers["content-security-policy"]
            .to_str()
            .unwrap_or("");
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!page.body.contains("<script") && !page.body.contains("style="));
    }

    // The stylesheet is served under its content's name for a year.
    let home = get(&http, &format!("{base}/"), &[]).await;
    let css = home
        .body
        .split("href=\"")
        .find_map(|rest| rest.split('"').next().filter(|h| h.ends_with(".css")))
        .expect("a stylesheet link")
        .to_owned();
    assert!(
        css.starts_with("/static/app.") && css.len() > "/static/app.css".len(),
        "{css}"
    );
    let file = get(&http, &format!("{base}{css}"), &[]).await;
    assert_eq!(file.status, 200);
    assert!(file.body.contains(":focus-visible"));
    assert_eq!(
        file.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        get(&http, &format!("{base}/static/app.css"), &[])
            .await
            .status,
        404
    );

    // The catalogue lists the seeded interlinkers, counted in the language.
    let all = get(
        &http,
        &format!("{base}/catalogue"),
        &[("accept-language", "es")],
    )
    .await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("Se han encontrado"), "{}", all.body);
    assert!(all.body.contains("<ul class=\"results\""), "{}", all.body);
    assert!(all.body.contains("aria-current=\"page\""));
    let none = get(
        &http,
        &format!("{base}/catalogue?q=zzqqxxnothingmatches"),
        &[("accept-language", "lv")],
    )
    .await;
    assert_eq!(none.status, 200);
    assert!(
        none.body.contains("Neviens interlinkers nav atrasts"),
        "{}",
        none.body
    );
    // What the visitor typed comes back escaped.
    let typed = get(&http, &format!("{base}/catalogue?q=%3Cb%3Ex"), &[]).await;
    assert!(
        typed.body.contains("value=\"&#60;b&#62;x\"")
            || typed.body.contains("value=\"&lt;b&gt;x\""),
        "{}",
        typed.body
    );
    assert!(!typed.body.contains("<b>x"));
    // A query the catalogue refuses is a 400 page in the language.
    let long = "a".repeat(501);
    let refused = get(
        &http,
        &format!("{base}/catalogue?q={long}"),
        &[("accept-language", "es")],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.body.contains("No se ha podido leer la petición"),
        "{}",
        refused.body
    );

    // Choosing a language keeps it in a cookie that beats the header, and
    // goes back only to a path of this site.
    let chosen = get(
        &http,
        &format!("{base}/language/lv?next=%2Fcatalogue%3Fq%3Dx"),
        &[],
    )
    .await;
    assert_eq!(chosen.status, 303);
    assert_eq!(chosen.headers["location"], "/catalogue?q=x");
    let cookie = chosen.headers["set-cookie"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(
        cookie.starts_with("interlink_lang=lv;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = get(
        &http,
        &format!("{base}/catalogue"),
        &[("cookie", "interlink_lang=lv"), ("accept-language", "es")],
    )
    .await;
    assert!(page.body.contains("<html lang=\"lv\">"));
    let away = get(
        &http,
        &format!("{base}/language/es?next=%2F%2Fevil.example%2F"),
        &[],
    )
    .await;
    assert_eq!(away.headers["location"], "/");
    assert_eq!(
        get(&http, &format!("{base}/language/de"), &[]).await.status,
        404
    );

    // The API keeps its paths and its JSON answers.
    let api = get(&http, &format!("{base}/v1/interlinkers?pageSize=1"), &[]).await;
    assert_eq!(api.status, 200);
    assert!(api.body.starts_with('{'));
    let unknown = get(&http, &format!("{base}/no-such-page"), &[]).await;
    assert_eq!(unknown.status, 404);
}

/// The value of the `name`d hidden input of a page's form.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} input in {body}"))
        .to_owned()
}

/// The `name=value` pair of a response's `Set-Cookie`.
fn cookie_pair(headers: &reqwest::header::HeaderMap) -> String {
    headers["set-cookie"]
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    form: &[(&str, &str)],
) -> Page {
    let mut request = http.post(url).form(form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the page answers");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.expect("a body"),
    }
}

#[tokio::test]
async fn the_dev_sign_in_page_signs_in_with_the_forms_token_and_signs_out() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // Anonymous: a sign-in link back to this page, no session cookie yet.
    let home = get(&http, &format!("{base}/catalogue?q=x"), &[]).await;
    assert!(
        home.body
            .contains("href=\"/sign-in?next=/catalogue%3Fq%3Dx\""),
        "{}",
        home.body
    );
    assert!(!home.headers.contains_key("set-cookie"));

    // The form begins an anonymous session holding its token.
    let form = get(&http, &format!("{base}/sign-in?next=%2Fcatalogue"), &[]).await;
    assert_eq!(form.status, 200);
    let set = form.headers["set-cookie"].to_str().unwrap_or("").to_owned();
    assert!(
        set.starts_with("interlink_session=")
            && set.contains("HttpOnly")
            && set.contains("SameSite=Lax")
            && !set.contains("Secure"),
        "{set}"
    );
    let anonymous = cookie_pair(&form.headers);
    let csrf = hidden(&form.body, "csrf");
    assert_eq!(hidden(&form.body, "next"), "/catalogue");
    let url = format!("{base}/sign-in");
    let person = [
        ("subject", "ana.garcia"),
        ("name", "Ana García"),
        ("next", "/catalogue"),
    ];

    // Without the session, with another token, or from another site: refused.
    let mut with_token = person.to_vec();
    with_token.push(("csrf", &csrf));
    let refused = post(&http, &url, &[], &with_token).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("This form could not be accepted"));
    let mut wrong_token = person.to_vec();
    wrong_token.push(("csrf", "0123456789abcdef0123456789abcdef"));
    let refused = post(&http, &url, &[("cookie", &anonymous)], &wrong_token).await;
    assert_eq!(refused.status, 403);
    let refused = post(
        &http,
        &url,
        &[("cookie", &anonymous), ("origin", "http://evil.example")],
        &with_token,
    )
    .await;
    assert_eq!(refused.status, 403);

    // A mistake comes back beside its input, with what was typed kept.
    let mistaken = post(
        &http,
        &url,
        &[("cookie", &anonymous), ("accept-language", "es")],
        &[("csrf", &csrf), ("subject", "ana garcia"), ("name", "Ana")],
    )
    .await;
    assert_eq!(mistaken.status, 400);
    assert!(
        mistaken.body.contains("Hay un problema"),
        "{}",
        mistaken.body
    );
    assert!(mistaken.body.contains("href=\"#subject\""));
    assert!(mistaken.body.contains("value=\"ana garcia\""));
    assert!(mistaken.body.contains("aria-invalid=\"true\""));
    assert!(mistaken.body.contains("<title>Error: "));

    // Signed in: a new session (new id and token), back where we were.
    let origin = base.clone();
    let signed = post(
        &http,
        &url,
        &[("cookie", &anonymous), ("origin", &origin)],
        &with_token,
    )
    .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.headers["location"], "/catalogue");
    let session = cookie_pair(&signed.headers);
    assert_ne!(session, anonymous);
    assert!(!session.contains("ana"), "the cookie is sealed: {session}");
    let page = get(&http, &format!("{base}/catalogue"), &[("cookie", &session)]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Signed in as Ana García"),
        "{}",
        page.body
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    let session_csrf = hidden(&page.body, "csrf");
    assert_ne!(session_csrf, csrf, "a sign-in gives a new form token");

    // The anonymous session's token does not sign the new session out.
    let refused = post(
        &http,
        &format!("{base}/sign-out"),
        &[("cookie", &session)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(refused.status, 403);

    // A tampered cookie is no session at all.
    let (name, value) = session.split_once('=').expect("a pair");
    let tampered = format!("{name}=A{value}");
    let page = get(&http, &format!("{base}/"), &[("cookie", &tampered)]).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Ana García"));
    assert!(page.body.contains("href=\"/sign-in?next=/\""));

    // Signing out removes the cookie and goes home.
    let out = post(
        &http,
        &format!("{base}/sign-out"),
        &[("cookie", &session)],
        &[("csrf", &session_csrf)],
    )
    .await;
    assert_eq!(out.status, 303);
    assert_eq!(out.headers["location"], "/");
    let cleared = out.headers["set-cookie"].to_str().unwrap_or("");
    assert!(
        cleared.starts_with("interlink_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );

    // A return address elsewhere is replaced by the home page.
    let form = get(&http, &format!("{base}/sign-in"), &[]).await;
    let anonymous = cookie_pair(&form.headers);
    let csrf = hidden(&form.body, "csrf");
    let away = post(
        &http,
        &url,
        &[("cookie", &anonymous)],
        &[
            ("csrf", &csrf),
            ("subject", "dev-admin"),
            ("admin", "yes"),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(away.status, 303);
    assert_eq!(away.headers["location"], "/");
    let page = get(
        &http,
        &format!("{base}/"),
        &[("cookie", &cookie_pair(&away.headers))],
    )
    .await;
    assert!(
        page.body.contains("Signed in as dev-admin"),
        "{}",
        page.body
    );
}

/// Signs `subject` in through the dev sign-in page; the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str, subject: &str, name: &str) -> String {
    let form = get(http, &format!("{base}/sign-in"), &[]).await;
    let anonymous = cookie_pair(&form.headers);
    let csrf = hidden(&form.body, "csrf");
    let signed = post(
        http,
        &format!("{base}/sign-in"),
        &[("cookie", &anonymous)],
        &[("csrf", &csrf), ("subject", subject), ("name", name)],
    )
    .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    cookie_pair(&signed.headers)
}

#[tokio::test]
async fn a_signed_in_person_rates_an_interlinker_on_its_page() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The search links each result to its page.
    let search = get(&http, &format!("{base}/catalogue?q=survey"), &[]).await;
    let href = search
        .body
        .split("href=\"/catalogue/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("/catalogue/{id}"))
        .expect("a result links to its page");
    let id = href.trim_start_matches("/catalogue/").to_owned();
    let anonymous = get(&http, &format!("{base}{href}"), &[]).await;
    assert_eq!(anonymous.status, 200);
    assert!(
        anonymous.body.contains("<h1>Online survey builder</h1>"),
        "{}",
        anonymous.body
    );
    assert!(anonymous.body.contains("How to use it"));
    assert!(anonymous.body.contains("Not rated yet"));
    assert!(anonymous.body.contains("Related interlinkers"));
    // Problem profiles by their titles, not their codes.
    assert!(
        anonymous
            .body
            .contains("<span>Collect user feedback</span>"),
        "{}",
        anonymous.body
    );
    assert!(anonymous.body.contains("Sign in to rate this interlinker"));
    assert!(!anonymous.body.contains("name=\"value\""));
    for missing in [
        "/catalogue/00000000-0000-7000-8000-000000000000",
        "/catalogue/not-an-id",
    ] {
        let page = get(
            &http,
            &format!("{base}{missing}"),
            &[("accept-language", "it")],
        )
        .await;
        assert_eq!(page.status, 404, "{missing}");
        assert!(page.body.contains("<html lang=\"it\">"));
    }

    // Signed in: the form, with the session's token.
    let ana = sign_in(&http, &base, "ana.garcia", "Ana García").await;
    let page = get(&http, &format!("{base}{href}"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("Rate this interlinker"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let action = format!("{base}{href}/rating");

    // No choice: refused by the catalogue, shown beside the scale, the
    // typed words kept, nothing saved.
    let mistaken = post(
        &http,
        &action,
        &[("cookie", &ana)],
        &[("csrf", &csrf), ("title", "Quick <b>"), ("text", "")],
    )
    .await;
    assert_eq!(mistaken.status, 400, "{}", mistaken.body);
    assert!(mistaken.body.contains("Choose from 1 to 5 stars"));
    assert!(mistaken.body.contains("href=\"#value-1\""));
    assert!(
        mistaken.body.contains("value=\"Quick &#60;b&#62;\"")
            || mistaken.body.contains("value=\"Quick &lt;b&gt;\"")
    );
    assert!(mistaken.body.contains("Not rated yet"));
    let refused = post(
        &http,
        &action,
        &[("cookie", &ana)],
        &[("csrf", "nope"), ("value", "5")],
    )
    .await;
    assert_eq!(refused.status, 403);
    let anonymous_post = post(&http, &action, &[], &[("csrf", &csrf), ("value", "5")]).await;
    assert_eq!(anonymous_post.status, 403);

    // Rated: back to the ratings, with thanks; the rating shows with
    // community's name for its author and the day in the page's language.
    let rated = post(
        &http,
        &action,
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("value", "4"),
            ("title", "Useful"),
            ("text", "Easy to share.\nGood for short surveys."),
        ],
    )
    .await;
    assert_eq!(rated.status, 303, "{}", rated.body);
    assert_eq!(
        rated.headers["location"].to_str().unwrap_or(""),
        format!("{href}?rated=1#ratings")
    );
    let page = get(&http, &format!("{base}{href}?rated=1"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("Thank you: your rating is saved."));
    assert!(
        page.body.contains("Rated 4.0 out of 5 by one person"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("4 stars out of 5 · <strong>Useful</strong>")
    );
    assert!(page.body.contains("<p>Good for short surveys.</p>"));
    assert!(page.body.contains("Ana García ·"), "{}", page.body);
    assert!(page.body.contains("<time datetime=\"20"));
    assert!(page.body.contains("You rated it before"));
    assert!(
        page.body
            .contains("id=\"value-4\" name=\"value\" value=\"4\" checked")
    );
    // The API holds the same rating.
    let api = get(&http, &format!("{base}/v1/interlinkers/{id}/ratings"), &[]).await;
    assert!(api.body.contains("\"title\":\"Useful\""), "{}", api.body);

    // A second person: the average moves, in Spanish with its comma.
    let luis = sign_in(&http, &base, "luis", "Luis").await;
    let page = get(&http, &format!("{base}{href}"), &[("cookie", &luis)]).await;
    let csrf = hidden(&page.body, "csrf");
    let rated = post(
        &http,
        &action,
        &[("cookie", &luis)],
        &[("csrf", &csrf), ("value", "2")],
    )
    .await;
    assert_eq!(rated.status, 303);
    let page = get(
        &http,
        &format!("{base}{href}"),
        &[("accept-language", "es")],
    )
    .await;
    assert!(
        page.body.contains("Valorado con 3,0 de 5 por 2 personas"),
        "{}",
        page.body
    );
    assert!(page.body.contains("2 estrellas de 5"));
}
