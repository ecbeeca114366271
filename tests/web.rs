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
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|id| *id != "problem-profiles")
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
    // Problem profiles by their titles, not their codes, each leading to
    // the interlinkers for it.
    assert!(
        anonymous
            .body
            .contains("<a href=\"/catalogue?profile=val-03\">Collect user feedback</a>"),
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

/// The path a 303 goes to.
fn location(page: &Page) -> String {
    page.headers["location"]
        .to_str()
        .expect("a location")
        .to_owned()
}

/// The first `action="…"` of a page's forms that starts with `prefix`.
fn form_action(body: &str, prefix: &str) -> String {
    let marker = format!("action=\"{prefix}");
    body.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("{prefix}{rest}"))
        .unwrap_or_else(|| panic!("no form to {prefix} in {body}"))
}

#[tokio::test]
async fn people_run_organisations_and_teams_through_their_pages() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    // Ana creates an organisation; a blank name is refused beside its input
    // and creates nothing.
    let ana = sign_in(&http, &base, "ana", "Ana Admin").await;
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = hidden(&form.body, "csrf");
    let blank = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", " "),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(
        blank
            .body
            .contains("<a href=\"#name\">Enter a name of up to 200 characters</a>")
    );
    assert!(blank.body.contains("id=\"name-error\""));
    let listed = get(&http, &format!("{base}/organizations"), &[("cookie", &ana)]).await;
    assert!(
        listed
            .body
            .contains("There are no organisations you can see yet.")
    );
    let created = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Zaragoza City"),
            ("description", "The city council."),
            ("public", "yes"),
            ("team_type", "public-administration"),
            ("policy", "anyone"),
        ],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let org = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    assert!(org.starts_with("/organizations/"), "{org}");
    let page = get(&http, &format!("{base}{org}"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("<h1>Zaragoza City</h1>"));
    assert!(
        page.body
            .contains("<li><span>Ana Admin <span class=\"tag\">you</span></span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Edit the organisation"));
    let listed = get(&http, &format!("{base}/organizations"), &[]).await;
    assert!(
        listed
            .body
            .contains(&format!("<a href=\"{org}\">Zaragoza City</a>"))
    );

    // Editing in Spanish changes the Spanish name only.
    let edit = get(
        &http,
        &format!("{base}{org}/edit"),
        &[("cookie", &ana), ("accept-language", "es")],
    )
    .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    let saved = post(
        &http,
        &format!("{base}{org}/edit"),
        &[
            ("cookie", &ana),
            ("origin", &origin),
            ("accept-language", "es"),
        ],
        &[
            ("csrf", &csrf),
            ("name", "Ayuntamiento de Zaragoza"),
            ("public", "yes"),
            ("team_type", "public-administration"),
            ("policy", "anyone"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let es = get(&http, &format!("{base}{org}"), &[("accept-language", "es")]).await;
    assert!(
        es.body.contains("<h1>Ayuntamiento de Zaragoza</h1>"),
        "{}",
        es.body
    );
    // The English description shows, marked as English, on the Spanish page.
    assert!(es.body.contains("<div class=\"prose\" lang=\"en\">"));
    let en = get(&http, &format!("{base}{org}"), &[]).await;
    assert!(en.body.contains("<h1>Zaragoza City</h1>"));

    // Ana creates a team in it.
    let team_form = get(
        &http,
        &format!("{base}{org}/teams/new"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(team_form.status, 200, "{}", team_form.body);
    let made = post(
        &http,
        &format!("{base}{org}/teams"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Mobility"),
            ("team_type", "citizen"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let team = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    assert!(team.starts_with("/teams/"), "{team}");

    // Ben may not edit the organisation, and asks to join the team.
    let ben = sign_in(&http, &base, "ben", "Ben Citizen").await;
    let ben_page = get(&http, &format!("{base}{team}"), &[("cookie", &ben)]).await;
    assert!(ben_page.body.contains("Ask to join"), "{}", ben_page.body);
    assert!(!ben_page.body.contains("Requests to join"));
    let ben_csrf = hidden(&ben_page.body, "csrf");
    let refused = post(
        &http,
        &format!("{base}{org}/edit"),
        &[("cookie", &ben), ("origin", &origin)],
        &[
            ("csrf", &ben_csrf),
            ("name", "Mine now"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let forged = post(
        &http,
        &format!("{base}{team}/applications"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", "forged"), ("reason", "x")],
    )
    .await;
    assert_eq!(forged.status, 403);
    let applied = post(
        &http,
        &format!("{base}{team}/applications"),
        &[("cookie", &ben), ("origin", &origin)],
        &[
            ("csrf", &ben_csrf),
            ("reason", "I cycle to work every day."),
        ],
    )
    .await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    let waiting = get(
        &http,
        &format!("{base}{team}?done=applied"),
        &[("cookie", &ben)],
    )
    .await;
    assert!(waiting.body.contains("Your request is sent"));
    assert!(waiting.body.contains("Withdraw my request"));

    // Ana accepts Ben's application.
    let ana_page = get(&http, &format!("{base}{team}"), &[("cookie", &ana)]).await;
    assert!(
        ana_page.body.contains("I cycle to work every day."),
        "{}",
        ana_page.body
    );
    assert!(ana_page.body.contains("Accept Ben Citizen"));
    let decide = form_action(&ana_page.body, &format!("{team}/applications/"));
    let accepted = post(
        &http,
        &format!("{base}{decide}"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("decision", "accept")],
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let members = get(&http, &format!("{base}{team}"), &[("cookie", &ben)]).await;
    assert!(members.body.contains("2 members"), "{}", members.body);
    assert!(members.body.contains("Leave this team"));

    // Ana invites Cara; a malformed address is refused beside its input.
    let bad = post(
        &http,
        &format!("{base}{team}/invitations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("email", "not an address")],
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body
            .contains("Enter an e-mail address such as name@example.org")
    );
    assert!(bad.body.contains("value=\"not an address\""));
    let invited = post(
        &http,
        &format!("{base}{team}/invitations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("email", "cara@example.org")],
    )
    .await;
    assert_eq!(invited.status, 200, "{}", invited.body);
    let link = invited
        .body
        .split("id=\"invitation-link\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the link to send")
        .to_owned();
    assert!(link.starts_with(&format!("{base}/invitation#")), "{link}");
    let code = link.rsplit('#').next().expect("a code").to_owned();
    assert_eq!(code.len(), 43);

    // Cara accepts it: a wrong code first, then hers, then hers again.
    let cara = sign_in(&http, &base, "cara", "Cara").await;
    let accept_form = get(&http, &format!("{base}/invitation"), &[("cookie", &cara)]).await;
    let cara_csrf = hidden(&accept_form.body, "csrf");
    assert!(
        accept_form
            .body
            .contains("<script src=\"/static/invitation.")
    );
    let wrong = post(
        &http,
        &format!("{base}/invitation"),
        &[("cookie", &cara), ("origin", &origin)],
        &[("csrf", &cara_csrf), ("code", &"A".repeat(43))],
    )
    .await;
    assert_eq!(wrong.status, 404, "{}", wrong.body);
    assert!(wrong.body.contains("No invitation has this code"));
    let joined = post(
        &http,
        &format!("{base}/invitation"),
        &[("cookie", &cara), ("origin", &origin)],
        &[("csrf", &cara_csrf), ("code", &code)],
    )
    .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(location(&joined), format!("{team}?done=joined"));
    let again = post(
        &http,
        &format!("{base}/invitation"),
        &[("cookie", &cara), ("origin", &origin)],
        &[("csrf", &cara_csrf), ("code", &code)],
    )
    .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let three = get(&http, &format!("{base}{team}"), &[("cookie", &ana)]).await;
    assert!(three.body.contains("3 members"), "{}", three.body);
    assert!(three.body.contains("cara@example.org"));

    // Ben leaves; Ana deletes the team, then the organisation.
    let left = post(
        &http,
        &format!("{base}{team}/members/remove"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf)],
    )
    .await;
    assert_eq!(left.status, 303, "{}", left.body);
    let confirm = get(&http, &format!("{base}{org}/delete"), &[("cookie", &ana)]).await;
    assert!(
        confirm
            .body
            .contains("Zaragoza City and its team will be deleted"),
        "{}",
        confirm.body
    );
    let deleted = post(
        &http,
        &format!("{base}{org}/delete"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(location(&deleted), "/organizations?deleted=1");
    let gone = get(&http, &format!("{base}{org}"), &[]).await;
    assert_eq!(gone.status, 404);
    let gone_team = get(&http, &format!("{base}{team}"), &[]).await;
    assert_eq!(gone_team.status, 404);
}

#[tokio::test]
async fn browsers_get_pages_for_unknown_addresses_and_the_gateways_refusals() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            ("INTERLINK__GATEWAY__RATE_LIMIT_PER_SECOND", "1".into()),
            ("INTERLINK__GATEWAY__RATE_LIMIT_BURST", "3".into()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let html = [("accept", "text/html,*/*;q=0.8"), ("accept-language", "lv")];

    // An address with no page: a page for a browser, JSON for an API client.
    let missing = get(&http, &format!("{base}/no-such-page"), &html).await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("<html lang=\"lv\">"),
        "{}",
        missing.body
    );
    assert!(
        missing.headers["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .contains("frame-ancestors 'none'")
    );
    let api = get(&http, &format!("{base}/v1/no-such-thing"), &html).await;
    assert_eq!(api.status, 404);
    assert!(api.body.starts_with('{'), "{}", api.body);

    // Pages are charged to the client's rate like API calls; the refusal is
    // a page in the visitor's language that says when to come back. The
    // stylesheet is not charged.
    let mut refused = None;
    for _ in 0..10 {
        let page = get(&http, &format!("{base}/catalogue"), &html).await;
        if page.status == 429 {
            refused = Some(page);
            break;
        }
    }
    let refused = refused.expect("the fourth page in a second is refused");
    assert!(
        refused.body.contains("<html lang=\"lv\">"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Pārāk daudz pieprasījumu"));
    assert!(refused.headers.contains_key("retry-after"));
    let css = refused
        .body
        .split("href=\"/static/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the stylesheet's link")
        .to_owned();
    let stylesheet = get(&http, &format!("{base}/static/{css}"), &[]).await;
    assert_eq!(stylesheet.status, 200);
}

#[tokio::test]
async fn a_person_keeps_their_profile_downloads_their_data_and_erases_their_account() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    let anonymous = get(&http, &format!("{base}/me"), &[]).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(location(&anonymous), "/sign-in?next=/me");

    let dan = sign_in(&http, &base, "dan", "Dan").await;
    let me = get(&http, &format!("{base}/me"), &[("cookie", &dan)]).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains("<dd>dan</dd>"), "{}", me.body);
    assert!(me.body.contains("value=\"Dan\""));
    let csrf = hidden(&me.body, "csrf");

    // Mistakes are named at their inputs, with what was typed kept.
    let wrong = post(
        &http,
        &format!("{base}/me"),
        &[("cookie", &dan), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", " "),
            ("locale", "en"),
            ("emails", "not-an-address"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains("<a href=\"#name\">Enter a name of up to 200 characters on one line</a>")
    );
    assert!(
        wrong
            .body
            .contains("<a href=\"#emails\">Enter up to 10 different e-mail addresses")
    );
    assert!(wrong.body.contains(">not-an-address</textarea>"));

    let saved = post(
        &http,
        &format!("{base}/me"),
        &[("cookie", &dan), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Daniela"),
            ("locale", "es"),
            ("emails", "d@example.org\n\nwork@example.org"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // The session now carries the new name for the header.
    let dan = cookie_pair(&saved.headers);
    let me = get(&http, &format!("{base}/me?done=saved"), &[("cookie", &dan)]).await;
    assert!(me.body.contains("Signed in as Daniela"), "{}", me.body);
    assert!(
        me.body
            .contains("id=\"locale-es\" name=\"locale\" value=\"es\" checked")
    );
    assert!(
        me.body
            .contains(">d@example.org\nwork@example.org</textarea>")
    );

    let terms = post(
        &http,
        &format!("{base}/me/terms"),
        &[("cookie", &dan), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(terms.status, 303);
    let me = get(&http, &format!("{base}/me"), &[("cookie", &dan)]).await;
    assert!(me.body.contains("You accepted the terms of use on"));

    let export = http
        .get(format!("{base}/me/export"))
        .header("cookie", &dan)
        .send()
        .await
        .expect("the export answers");
    assert_eq!(export.status(), 200);
    assert!(
        export.headers()["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment")
    );
    let data: serde_json::Value = export.json().await.expect("JSON");
    assert_eq!(data["user"]["displayName"], "Daniela");
    assert_eq!(data["user"]["additionalEmails"][1], "work@example.org");

    // The last administrator of an organisation is not erased.
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &dan)],
    )
    .await;
    let made = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &dan), ("origin", &origin)],
        &[
            ("csrf", &hidden(&form.body, "csrf")),
            ("name", "Dan's club"),
            ("team_type", "citizen"),
            ("policy", "administrators"),
        ],
    )
    .await;
    let org = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let confirm = get(&http, &format!("{base}/me/erase"), &[("cookie", &dan)]).await;
    assert!(confirm.body.contains("Erase your account?"));
    let refused = post(
        &http,
        &format!("{base}/me/erase"),
        &[("cookie", &dan), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("last administrator"),
        "{}",
        refused.body
    );
    let me = get(&http, &format!("{base}/me"), &[("cookie", &dan)]).await;
    assert_eq!(me.status, 200, "nothing was erased");

    let deleted = post(
        &http,
        &format!("{base}{org}/delete"),
        &[("cookie", &dan), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(deleted.status, 303);
    let erased = post(
        &http,
        &format!("{base}/me/erase"),
        &[("cookie", &dan), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(erased.status, 303, "{}", erased.body);
    assert_eq!(location(&erased), "/?erased=1");
    assert!(
        erased.headers["set-cookie"]
            .to_str()
            .unwrap_or_default()
            .contains("Max-Age=0")
    );
    let home = get(&http, &format!("{base}/?erased=1"), &[]).await;
    assert!(home.body.contains("Your account is erased."));
}

/// The catalogue's REST search with `query`: its total and its facets.
async fn rest_search(http: &reqwest::Client, base: &str, query: &str) -> serde_json::Value {
    http.get(format!("{base}/v1/interlinkers:search?{query}"))
        .send()
        .await
        .expect("the REST search answers")
        .json()
        .await
        .expect("JSON")
}

/// The count of `value` in the REST answer's facet `field` (0 when absent).
fn facet(answer: &serde_json::Value, field: &str, value: &str) -> i64 {
    answer["facets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["field"] == field)
        .flat_map(|f| f["values"].as_array().into_iter().flatten())
        .find(|v| v["value"] == value)
        .and_then(|v| {
            v["count"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .or(v["count"].as_i64())
        })
        .unwrap_or(0)
}

/// The total of a REST search answer.
fn total(answer: &serde_json::Value) -> i64 {
    answer["totalSize"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .or(answer["totalSize"].as_i64())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_catalogue_filters_its_search_counts_each_choice_and_lists_problems_by_family() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::new();
    let en = [("accept-language", "en")];

    // Unfiltered, each choice says how many interlinkers it would leave:
    // the catalogue's own facet counts.
    let everything = rest_search(&http, &base, "").await;
    let knowledge = facet(&everything, "nature", "NATURE_KNOWLEDGE");
    assert!(knowledge > 0, "{everything}");
    let page = get(&http, &format!("{base}/catalogue"), &en).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!(
            "<label for=\"nature-knowledge\">Knowledge ({knowledge})</label>"
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<details class=\"filters\" open"));

    // Filtered by nature and language: the same hits as the REST search
    // with both filters, every one of that nature, the choices kept ticked.
    let filtered = rest_search(&http, &base, "natures=NATURE_KNOWLEDGE&languages=es").await;
    let hits = total(&filtered);
    assert!(hits > 0 && hits <= knowledge, "{filtered}");
    let page = get(
        &http,
        &format!("{base}/catalogue?nature=knowledge&language=es"),
        &en,
    )
    .await;
    assert_eq!(page.status, 200);
    let found = if hits == 1 {
        "1 interlinker found".to_owned()
    } else {
        format!("{hits} interlinkers found")
    };
    assert!(page.body.contains(&found), "{found}: {}", page.body);
    assert!(page.body.contains("<details class=\"filters\" open"));
    assert!(page.body.contains("value=\"knowledge\" checked"));
    assert!(page.body.contains("value=\"es\" checked"));
    let shown = page.body.matches("<p class=\"meta\">").count();
    assert_eq!(
        page.body.matches("<p class=\"meta\">Knowledge").count(),
        shown,
        "only knowledge interlinkers: {}",
        page.body
    );
    // A problem profile's count under these filters is the catalogue's.
    let code = filtered["facets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["field"] == "problem_profile")
        .and_then(|f| f["values"][0]["value"].as_str())
        .expect("a problem profile among the hits")
        .to_owned();
    let count = facet(&filtered, "problem_profile", &code);
    assert!(
        page.body.contains(&format!("value=\"{code}\">"))
            && page.body.contains(&format!("({count})</label>")),
        "{code} ({count}): {}",
        page.body
    );
    assert!(page.body.contains("href=\"/catalogue\">Clear filters</a>"));

    // At least four stars: nothing in a freshly seeded catalogue is rated.
    let page = get(&http, &format!("{base}/catalogue?rating=4"), &en).await;
    assert!(page.body.contains("No interlinkers found"), "{}", page.body);
    assert!(
        page.body
            .contains("id=\"rating-4\" name=\"rating\" value=\"4\" checked")
    );
    assert!(page.body.contains("Try fewer filters"));

    // A filter out of shape is a 400 naming it; a bad code, the catalogue's.
    for (query, field) in [
        ("nature=hardware", "nature"),
        ("rating=9", "rating"),
        ("profile=Not%20a%20code", "problem_profiles"),
    ] {
        let page = get(&http, &format!("{base}/catalogue?{query}"), &en).await;
        assert_eq!(page.status, 400, "{query}");
        assert!(page.body.contains(field), "{query}: {}", page.body);
    }

    // The problems by family, in Spanish, each leading to its interlinkers.
    let page = get(
        &http,
        &format!("{base}/catalogue/problem-profiles"),
        &[("accept-language", "es")],
    )
    .await;
    assert_eq!(page.status, 200);
    for family in [
        "Organizar el proceso",
        "Comprender el problema",
        "Definir el servicio",
        "Construir el servicio",
        "Validar el servicio",
        "Mantenerlo en el tiempo",
        "Hackatones",
    ] {
        assert!(page.body.contains(family), "{family}: {}", page.body);
    }
    assert!(
        page.body
            .contains("<a href=\"/catalogue?profile=org-01\">Identificar a los actores que deben participar</a>"),
        "{}",
        page.body
    );
    let page = get(&http, &format!("{base}/catalogue?profile=org-01"), &en).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("value=\"org-01\" checked"),
        "{}",
        page.body
    );
    let org = rest_search(&http, &base, "problemProfiles=org-01").await;
    let hits = total(&org);
    assert!(
        page.body.contains(&format!("{hits} interlinkers found"))
            || (hits == 1 && page.body.contains("1 interlinker found")),
        "{hits}: {}",
        page.body
    );
}

#[tokio::test]
async fn anyone_reads_a_schemas_tree_in_each_published_version() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    let http = reqwest::Client::new();
    let es = [("accept-language", "es")];

    // The published schemas, in Spanish.
    let list = get(&http, &format!("{base}/schemas"), &es).await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("href=\"/schemas/default\""),
        "{}",
        list.body
    );
    assert!(list.body.contains("Versión 1"), "{}", list.body);

    // The newest version's tree: as many phases, objectives and tasks as
    // the catalogue's version holds, prerequisites and problems by title.
    let version: serde_json::Value = http
        .get(format!("{base}/v1/schemas/default/versions/latest"))
        .send()
        .await
        .expect("the REST version")
        .json()
        .await
        .expect("JSON");
    let items = version["items"].as_array().expect("items");
    let count = |kind: &str| items.iter().filter(|i| i["kind"] == kind).count();
    let (phases, objectives, tasks) = (
        count("ITEM_KIND_PHASE"),
        count("ITEM_KIND_OBJECTIVE"),
        count("ITEM_KIND_TASK"),
    );
    assert!(phases > 1 && objectives > phases && tasks > objectives);
    let page = get(&http, &format!("{base}/schemas/default"), &es).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!(
            "{phases} fases, {objectives} objetivos, {tasks} tareas"
        )),
        "{}",
        page.body
    );
    assert_eq!(
        page.body.matches("<section class=\"phase\"").count(),
        phases
    );
    assert_eq!(
        page.body.matches("<section class=\"objective\"").count(),
        objectives
    );
    assert_eq!(
        page.body
            .matches("<h4><span class=\"kind\">Tarea</span>")
            .count(),
        tasks
    );
    assert!(page.body.contains("<span>Implicar</span>"), "{}", page.body);
    assert!(page.body.contains("Después de:"), "{}", page.body);
    assert!(
        page.body.contains("href=\"/catalogue?profile="),
        "{}",
        page.body
    );
    // One version: no picker.
    assert!(!page.body.contains("<select id=\"version\""));

    // An editor publishes a second version with another title: the page
    // shows it, and the picker offers the first.
    let admin = common::Api {
        http: http.clone(),
        base: base.clone(),
        token: common::mint(&data, "schema-editor", true),
    };
    let (status, body) = admin
        .call(
            reqwest::Method::PATCH,
            "/v1/schemas/default?updateMask=title",
            Some(serde_json::json!({"title": {"values": {"es": "Esquema revisado", "en": "Revised schema"}}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin
        .call(
            reqwest::Method::POST,
            "/v1/schemas/default:publish",
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let page = get(&http, &format!("{base}/schemas/default"), &es).await;
    assert!(
        page.body.contains("<h1>Esquema revisado</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<select id=\"version\" name=\"version\">")
    );
    assert!(
        page.body
            .contains("<option value=\"2\" selected>Versión 2, publicada el")
    );
    assert!(
        page.body
            .contains("<option value=\"1\">Versión 1, publicada el")
    );
    assert!(!page.body.contains("versión anterior"));
    let first = get(&http, &format!("{base}/schemas/default?version=1"), &es).await;
    assert_eq!(first.status, 200);
    assert!(!first.body.contains("Esquema revisado"), "{}", first.body);
    assert!(
        first
            .body
            .contains("Esta es una versión anterior del esquema.")
    );
    assert!(first.body.contains("<option value=\"1\" selected>"));

    // Versions and schemas that do not exist, and versions out of shape.
    for (path, status) in [
        ("/schemas/default?version=9", 404),
        ("/schemas/no-such-schema", 404),
        ("/schemas/default?version=two", 400),
        ("/schemas/default?version=0", 400),
    ] {
        let page = get(&http, &format!("{base}{path}"), &es).await;
        assert_eq!(page.status, status, "{path}: {}", page.body);
    }
    let bad = get(&http, &format!("{base}/schemas/default?version=two"), &es).await;
    assert!(bad.body.contains("version"), "{}", bad.body);
}

#[tokio::test]
async fn anyone_browses_public_processes_and_reads_their_stories() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    let http = reqwest::Client::new();
    let admin = common::Api {
        http: http.clone(),
        base: base.clone(),
        token: common::mint(&data, "process-admin", true),
    };
    // A private process too, which nobody else sees.
    let made = common::public_process_with_story(&admin).await;
    let private = admin
        .ok(
            reqwest::Method::POST,
            "/v1/processes",
            Some(serde_json::json!({
                "title": "Proceso interno",
                "language": "es",
                "organization": made.organization,
            })),
        )
        .await;
    assert_eq!(private["public"], serde_json::Value::Null);
    let en = [("accept-language", "en")];

    // The list: the public process with its organisation, status and
    // progress, in the visitor's language; its text marked as Spanish.
    let list = get(&http, &format!("{base}/processes"), &en).await;
    assert_eq!(list.status, 200);
    let id = made.process.trim_start_matches("processes/");
    assert!(
        list.body.contains(&format!(
            "<a href=\"/processes/{id}\" lang=\"es\">Bicicletas compartidas</a>"
        )),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("Test City Council · In progress ·"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Proceso interno"));

    // Filters: by status and by organisation; a bad status is a 400.
    let org_id = made.organization.trim_start_matches("organizations/");
    let finished = get(&http, &format!("{base}/processes?status=finished"), &en).await;
    assert!(
        finished
            .body
            .contains("No public process matches these filters.")
    );
    let under_way = get(
        &http,
        &format!("{base}/processes?status=in-progress&organization={org_id}"),
        &en,
    )
    .await;
    assert!(
        under_way.body.contains("Bicicletas compartidas"),
        "{}",
        under_way.body
    );
    assert!(
        under_way
            .body
            .contains(&format!("<option value=\"{org_id}\" selected>"))
    );
    let bad = get(&http, &format!("{base}/processes?status=paused"), &en).await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("status"), "{}", bad.body);

    // The process: its texts, its plan with statuses, its story.
    let page = get(&http, &format!("{base}/processes/{id}"), &en).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<h1 lang=\"es\">Bicicletas compartidas</h1>")
    );
    assert!(page.body.contains("<h2>Its aim</h2>"), "{}", page.body);
    assert!(page.body.contains("<p>Segundo párrafo.</p>"));
    assert!(page.body.contains("<span class=\"tag\">movilidad</span>"));
    assert!(page.body.contains("The plan"));
    assert!(page.body.contains("(In progress ·"), "{}", page.body);
    let story_id = made.story.trim_start_matches("stories/");
    assert!(page.body.contains(&format!("href=\"/stories/{story_id}\"")));
    // The private one is not found for a visitor.
    let private_id = private["name"]
        .as_str()
        .expect("name")
        .trim_start_matches("processes/");
    let hidden = get(&http, &format!("{base}/processes/{private_id}"), &en).await;
    assert_eq!(hidden.status, 404);

    // The stories, and the story with its author and process.
    let stories = get(
        &http,
        &format!("{base}/stories"),
        &[("accept-language", "it")],
    )
    .await;
    assert_eq!(stories.status, 200);
    assert!(stories.body.contains("Mil viajes en bicicleta"));
    assert!(stories.body.contains("Pubblicata il"), "{}", stories.body);
    let story = get(&http, &format!("{base}/stories/{story_id}"), &en).await;
    assert_eq!(story.status, 200);
    assert!(story.body.contains("By Citizen One"), "{}", story.body);
    assert!(story.body.contains("<h2>Lessons learnt</h2>"));
    assert!(story.body.contains("CC-BY-4.0"));
    assert!(story.body.contains(&format!(
        "<a href=\"/processes/{id}\" lang=\"es\">Bicicletas compartidas</a>"
    )));
    let unknown = uuid::Uuid::new_v4();
    let missing = get(&http, &format!("{base}/stories/{unknown}"), &en).await;
    assert_eq!(missing.status, 404);
    let malformed = get(&http, &format!("{base}/stories/not-an-id"), &en).await;
    assert_eq!(malformed.status, 400);

    // The home page shows the process, the story and catalogue highlights.
    let home = get(&http, &format!("{base}/"), &en).await;
    assert!(home.body.contains("Processes under way"), "{}", home.body);
    assert!(home.body.contains("Bicicletas compartidas"));
    assert!(home.body.contains("Mil viajes en bicicleta"));
    assert!(home.body.contains("From the catalogue"));
}

#[tokio::test]
async fn a_pa_brands_its_pages_with_its_colour_and_logo() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            (
                "INTERLINK__GATEWAY__WEB__SITE_NAME",
                "Zaragoza Participa".into(),
            ),
            ("INTERLINK__GATEWAY__WEB__ACCENT_COLOUR", "#a6192e".into()),
            (
                "INTERLINK__GATEWAY__WEB__LOGO_URL",
                "https://www.zaragoza.es/cont/paginas/img/logo.svg".into(),
            ),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let home = get(&http, &format!("{base}/"), &[]).await;
    assert!(
        home.body.contains(
            "<a class=\"brand\" href=\"/\"><img src=\"https://www.zaragoza.es/cont/paginas/img/logo.svg\" alt=\"\" height=\"32\">Zaragoza Participa</a>"
        ),
        "{}",
        home.body
    );
    let csp = home.headers["content-security-policy"]
        .to_str()
        .expect("a policy");
    assert!(
        csp.contains("img-src 'self' data: https://www.zaragoza.es;"),
        "{csp}"
    );
    let href = home
        .body
        .split("<link rel=\"stylesheet\" href=\"/brand/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|file| format!("/brand/{file}"))
        .expect("the PA's stylesheet");
    let css = get(&http, &format!("{base}{href}"), &[]).await;
    assert_eq!(css.status, 200);
    assert!(css.body.contains("--accent: #a6192e;"), "{}", css.body);
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap_or_default()
            .contains("immutable")
    );
    assert_eq!(
        get(&http, &format!("{base}/brand/0000000000000000.css"), &[])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn organisation_administrators_add_a_team_member_and_step_down_but_never_the_last() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    // Ana's organisation lets anyone make teams; Ben makes one.
    let ana = sign_in(&http, &base, "ana", "Ana Admin").await;
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    let ana_csrf = hidden(&form.body, "csrf");
    let created = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &ana_csrf),
            ("name", "Valdespartera"),
            ("public", "yes"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let org = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let team_form = get(
        &http,
        &format!("{base}{org}/teams/new"),
        &[("cookie", &ben)],
    )
    .await;
    let ben_csrf = hidden(&team_form.body, "csrf");
    let made = post(
        &http,
        &format!("{base}{org}/teams"),
        &[("cookie", &ben), ("origin", &origin)],
        &[
            ("csrf", &ben_csrf),
            ("name", "Huertos"),
            ("team_type", "citizen"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let team = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();

    // Ben sees no such button; Ana, an organisation administrator, does.
    let ben_view = get(&http, &format!("{base}{team}"), &[("cookie", &ben)]).await;
    assert!(
        !ben_view
            .body
            .contains("an administrator of the organisation")
    );
    let ana_view = get(&http, &format!("{base}{team}"), &[("cookie", &ana)]).await;
    let button = "Make Ben Bold an administrator of the organisation";
    assert!(ana_view.body.contains(button), "{}", ana_view.body);
    let ben_user = ana_view
        .body
        .split(&format!("action=\"{org}/administrators\""))
        .nth(1)
        .map(|form| hidden(form, "user"))
        .expect("the form names Ben");
    assert!(ben_user.starts_with("users/"), "{ben_user}");

    // Without the session's token, or from another site, nothing changes.
    let forged = post(
        &http,
        &format!("{base}{org}/administrators"),
        &[("cookie", &ana), ("origin", "https://evil.example")],
        &[("csrf", &ana_csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(forged.status, 403);
    // Ben may not make himself one: community refuses.
    let refused = post(
        &http,
        &format!("{base}{org}/administrators"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Ana makes Ben an administrator.
    let added = post(
        &http,
        &format!("{base}{org}/administrators"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &ana_csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(location(&added), format!("{org}?administrator=added"));
    let page = get(
        &http,
        &format!("{base}{org}?administrator=added"),
        &[("cookie", &ben)],
    )
    .await;
    assert!(page.body.contains("The new administrator is added."));
    assert!(
        page.body
            .contains("<li><span>Ben Bold <span class=\"tag\">you</span></span>")
    );
    assert!(
        page.body.contains("Remove Ana Admin as administrator"),
        "{}",
        page.body
    );
    let ana_team_view = get(&http, &format!("{base}{team}"), &[("cookie", &ana)]).await;
    assert!(!ana_team_view.body.contains(button), "already one");

    // Ana steps down; Ben, the last one, cannot.
    let ana_page = get(&http, &format!("{base}{org}"), &[("cookie", &ana)]).await;
    let ana_user = ana_page
        .body
        .split("<li><span>Ana Admin <span class=\"tag\">you</span></span>")
        .nth(1)
        .map(|rest| hidden(rest, "user"))
        .expect("Ana's own form");
    let stepped_down = post(
        &http,
        &format!("{base}{org}/administrators/remove"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &ana_csrf), ("user", &ana_user)],
    )
    .await;
    assert_eq!(stepped_down.status, 303, "{}", stepped_down.body);
    let page = get(&http, &format!("{base}{org}"), &[("cookie", &ana)]).await;
    assert!(!page.body.contains("<li><span>Ana Admin"), "{}", page.body);
    assert!(!page.body.contains("/administrators/remove"));
    let last = post(
        &http,
        &format!("{base}{org}/administrators/remove"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(last.status, 409, "{}", last.body);
    let page = get(&http, &format!("{base}{org}"), &[("cookie", &ben)]).await;
    assert!(page.body.contains("Ben Bold"));
}

/// [`post`], repeated while it is refused (403) for up to 30 s:
/// co-production learns who administers a new organisation from
/// community's events, a moment after it is made.
async fn post_once_allowed(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    form: &[(&str, &str)],
) -> Page {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let page = post(http, url, headers, form).await;
        if page.status != 403 || std::time::Instant::now() > deadline {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_person_creates_a_process_in_their_organisation_and_finds_it_in_their_workspace() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    // The workspace is for someone signed in.
    let anonymous = get(&http, &format!("{base}/workspace"), &[]).await;
    assert_eq!(anonymous.status, 303);
    assert!(location(&anonymous).starts_with("/sign-in?next="));

    // Ana's organisation, made on its page.
    let ana = sign_in(&http, &base, "ana", "Ana Admin").await;
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    let csrf = hidden(&form.body, "csrf");
    let created = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Delicias"),
            ("public", "yes"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    let org = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let org_id = org.trim_start_matches("/organizations/").to_owned();

    // The empty workspace says so and offers a new process; the form
    // offers her organisation and the page's language.
    let empty = get(&http, &format!("{base}/workspace"), &[("cookie", &ana)]).await;
    assert_eq!(empty.status, 200);
    assert!(
        empty
            .body
            .contains("You do not run or take part in any process yet.")
    );
    assert!(
        empty
            .body
            .contains("href=\"/workspace\" aria-current=\"page\">My processes</a>")
    );
    let form = get(
        &http,
        &format!("{base}/workspace/new?organization={org_id}"),
        &[("cookie", &ana), ("accept-language", "es")],
    )
    .await;
    assert_eq!(form.status, 200, "{}", form.body);
    // The organisation's name is English only: marked so on a Spanish page.
    assert!(
        form.body.contains(&format!(
            "<option value=\"{org_id}\" lang=\"en\" selected>Delicias</option>"
        )),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains("<option value=\"es\" lang=\"es\" selected>Español</option>")
    );

    // A blank title is refused beside its input, what was typed kept, and
    // nothing is created.
    let blank = post(
        &http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", " "),
            ("organization", &org_id),
            ("language", "es"),
            ("description", "Huertos urbanos en el barrio."),
        ],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(
        blank
            .body
            .contains("<a href=\"#title\">Enter a title of up to 200 characters on one line</a>")
    );
    assert!(
        blank
            .body
            .contains(">Huertos urbanos en el barrio.</textarea>")
    );
    let still_empty = get(&http, &format!("{base}/workspace"), &[("cookie", &ana)]).await;
    assert!(
        still_empty
            .body
            .contains("You do not run or take part in any process yet.")
    );

    // Created: its page says so, and the workspace lists it.
    let made = post_once_allowed(
        &http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", "Huertos urbanos"),
            ("organization", &org_id),
            ("language", "es"),
            ("description", "Huertos urbanos en el barrio."),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let process = location(&made);
    assert!(
        process.starts_with("/processes/") && process.ends_with("?created=1"),
        "{process}"
    );
    let page = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("The process is created: you administer it.")
    );
    let mine = get(&http, &format!("{base}/workspace"), &[("cookie", &ana)]).await;
    assert!(mine.body.contains("Huertos urbanos</a>"), "{}", mine.body);
    assert!(
        mine.body.contains("Delicias · Not started"),
        "{}",
        mine.body
    );
    // Filtered by status; a status out of shape is a 400.
    let finished = get(
        &http,
        &format!("{base}/workspace?status=finished"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        finished
            .body
            .contains("None of your processes matches these filters."),
        "{}",
        finished.body
    );
    assert!(!finished.body.contains("Huertos urbanos</a>"));
    let bad = get(
        &http,
        &format!("{base}/workspace?status=later"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(bad.status, 400);
    // A private process is nobody else's: not in public lists, not in
    // Ben's workspace; and Ben may not create one in Ana's organisation.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let bens = get(&http, &format!("{base}/workspace"), &[("cookie", &ben)]).await;
    assert!(!bens.body.contains("Huertos urbanos"));
    let public = get(&http, &format!("{base}/processes"), &[]).await;
    assert!(!public.body.contains("Huertos urbanos"));
    let ben_form = get(&http, &format!("{base}/workspace/new"), &[("cookie", &ben)]).await;
    let ben_csrf = hidden(&ben_form.body, "csrf");
    let refused = post(
        &http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ben), ("origin", &origin)],
        &[
            ("csrf", &ben_csrf),
            ("title", "Intruso"),
            ("organization", &org_id),
            ("language", "es"),
        ],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let ana_again = get(&http, &format!("{base}/workspace"), &[("cookie", &ana)]).await;
    assert!(!ana_again.body.contains("Intruso"));
}

#[tokio::test]
async fn an_administrator_plans_a_process_from_a_schema_and_tasks_wait_for_what_comes_first() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();
    let ana = sign_in(&http, &base, "ana", "Ana Admin").await;
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    let csrf = hidden(&form.body, "csrf");
    let created = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Actur"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    let org_id = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .trim_start_matches("/organizations/")
        .to_owned();
    let made = post_once_allowed(
        &http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", "Parque del Actur"),
            ("organization", &org_id),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let process = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();

    // Empty, it offers its administrator the published schemas.
    let page = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert!(
        page.body.contains(&format!("action=\"{process}/plan\"")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("name=\"schema\" value=\"default\" checked")
    );
    // Nobody else is offered it.
    let anonymous = get(&http, &format!("{base}{process}"), &[]).await;
    assert_eq!(anonymous.status, 404, "a private process");
    let planned = post(
        &http,
        &format!("{base}{process}/plan"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("schema", "default")],
    )
    .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    assert_eq!(location(&planned), format!("{process}?planned=1"));
    let page = get(
        &http,
        &format!("{base}{process}?planned=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("The plan is drawn up from the schema."));
    assert!(!page.body.contains(&format!("action=\"{process}/plan\"")));
    let actions: Vec<String> = page
        .body
        .split(&format!("action=\"{process}/tasks/"))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|rest| format!("{process}/tasks/{rest}"))
        .collect();
    assert!(actions.len() > 10, "{} status forms", actions.len());
    let task_id = |action: &str| {
        action
            .trim_start_matches(&format!("{process}/tasks/"))
            .trim_end_matches("/status")
            .to_owned()
    };
    let first = task_id(&actions[0]);

    // The second task comes after the first: refused, the first named.
    let blocked = post(
        &http,
        &format!("{base}{}", actions[1]),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("status", "in-progress")],
    )
    .await;
    assert_eq!(blocked.status, 409, "{}", blocked.body);
    assert!(blocked.body.contains("This task cannot start yet"));
    assert!(
        blocked
            .body
            .contains(&format!("<a href=\"{process}/guide/tasks/{first}\">")),
        "{}",
        blocked.body
    );
    // The first starts; the process is under way.
    let started = post(
        &http,
        &format!("{base}{}", actions[0]),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("status", "in-progress")],
    )
    .await;
    assert_eq!(started.status, 303, "{}", started.body);
    assert_eq!(
        location(&started),
        format!("{process}?status=1#task-{first}")
    );
    let page = get(
        &http,
        &format!("{base}{process}?status=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("status is saved."), "{}", page.body);
    assert!(
        page.body.contains("<p class=\"meta\">In progress ·"),
        "{}",
        page.body
    );
    // A status out of shape, and someone without rights, change nothing.
    let bad = post(
        &http,
        &format!("{base}{}", actions[0]),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("status", "paused")],
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("status"), "{}", bad.body);
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let ben_page = get(&http, &format!("{base}/workspace/new"), &[("cookie", &ben)]).await;
    let ben_csrf = hidden(&ben_page.body, "csrf");
    let refused = post(
        &http,
        &format!("{base}{}", actions[0]),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf), ("status", "finished")],
    )
    .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let page = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("<p class=\"meta\">In progress ·"));

    // Under way, its story may be told: a blank title is refused beside
    // its input; then it is published, read and rated.
    assert!(page.body.contains(&format!(
        "<a href=\"{process}/stories/new\">Tell its story</a>"
    )));
    let form = get(
        &http,
        &format!("{base}{process}/stories/new"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(form.status, 200, "{}", form.body);
    let blank = post(
        &http,
        &format!("{base}{process}/stories"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", ""),
            ("results", "Un parque nuevo."),
        ],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(blank.body.contains("<a href=\"#title\">"));
    assert!(blank.body.contains(">Un parque nuevo.</textarea>"));
    let published = post(
        &http,
        &format!("{base}{process}/stories"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", "Un parque para todos"),
            ("results", "Un parque nuevo."),
            ("keywords", "parque, barrio"),
            ("licences", "CC-BY-4.0"),
            ("shared", "yes"),
        ],
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let story = location(&published);
    assert!(
        story.starts_with("/stories/") && story.ends_with("?published=1"),
        "{story}"
    );
    let page = get(&http, &format!("{base}{story}"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("The story is published."));
    // Shared with other deployments, as the form's box asked.
    assert!(
        page.body
            .contains("This story is shared: other Interlink deployments")
            && page.body.contains(">Stop sharing</button>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("parque, barrio"), "{}", page.body);
    let story = story.trim_end_matches("?published=1").to_owned();
    let rated = post(
        &http,
        &format!("{base}{story}/rating"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("value", "4")],
    )
    .await;
    assert_eq!(rated.status, 303, "{}", rated.body);
    let page = get(
        &http,
        &format!("{base}{story}?rated=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        page.body.contains("Rated 4.0 out of 5 by one person"),
        "{}",
        page.body
    );
    let bad = post(
        &http,
        &format!("{base}{story}/rating"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf), ("value", "9")],
    )
    .await;
    assert_eq!(bad.status, 400);
    // The process is private: its story is nobody else's.
    assert_eq!(get(&http, &format!("{base}{story}"), &[]).await.status, 404);
}

#[tokio::test]
async fn an_administrator_edits_exports_and_deletes_a_process_in_its_settings() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();
    let ana = sign_in(&http, &base, "ana", "Ana Admin").await;
    let form = get(
        &http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    let csrf = hidden(&form.body, "csrf");
    let created = post(
        &http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("name", "Torrero"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
        ],
    )
    .await;
    let org_id = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .trim_start_matches("/organizations/")
        .to_owned();
    let made = post_once_allowed(
        &http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", "Biblioteca"),
            ("organization", &org_id),
            ("language", "es"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let process = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let page = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert!(
        page.body
            .contains(&format!("<a href=\"{process}/settings\">Settings</a>"))
    );

    // The form comes filled in; a blank title is refused beside it and
    // changes nothing.
    let settings = get(
        &http,
        &format!("{base}{process}/settings"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(
        settings
            .body
            .contains("name=\"title\" value=\"Biblioteca\"")
    );
    assert!(
        settings
            .body
            .contains("<option value=\"es\" lang=\"es\" selected>")
    );
    let blank = post(
        &http,
        &format!("{base}{process}/settings"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", ""),
            ("language", "es"),
            ("aim", "Leer más"),
        ],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(blank.body.contains("<a href=\"#title\">"));
    assert!(blank.body.contains(">Leer más</textarea>"));
    // Saved: a new title, an aim, made public.
    let saved = post(
        &http,
        &format!("{base}{process}/settings"),
        &[("cookie", &ana), ("origin", &origin)],
        &[
            ("csrf", &csrf),
            ("title", "Biblioteca abierta"),
            ("language", "es"),
            ("aim", "Leer más"),
            ("public", "yes"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(location(&saved), format!("{process}?saved=1"));
    let public = get(&http, &format!("{base}/processes"), &[]).await;
    assert!(
        public.body.contains("Biblioteca abierta"),
        "{}",
        public.body
    );
    let page = get(&http, &format!("{base}{process}"), &[]).await;
    assert!(page.body.contains("<p>Leer más</p>"));
    assert!(
        !page.body.contains("/settings\">"),
        "no settings link for a visitor"
    );

    // The export is the whole process as its JSON document.
    let export = get(
        &http,
        &format!("{base}{process}/export"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(export.status, 200);
    assert_eq!(export.headers["content-type"], "application/json");
    assert!(
        export.headers["content-disposition"]
            .to_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"process-")
    );
    let document: serde_json::Value = serde_json::from_str(&export.body).expect("JSON");
    assert_eq!(document["format"], "interlink.process/1", "{document}");

    // Ben may read it, not change it, export it or delete it.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let ben_form = get(&http, &format!("{base}/workspace/new"), &[("cookie", &ben)]).await;
    let ben_csrf = hidden(&ben_form.body, "csrf");
    let refused = post(
        &http,
        &format!("{base}{process}/settings"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf), ("title", "Mía"), ("language", "es")],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refused = get(
        &http,
        &format!("{base}{process}/export"),
        &[("cookie", &ben)],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refused = post(
        &http,
        &format!("{base}{process}/delete"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &ben_csrf)],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Ana deletes it after the confirmation.
    let confirm = get(
        &http,
        &format!("{base}{process}/delete"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Delete Biblioteca abierta?"));
    let deleted = post(
        &http,
        &format!("{base}{process}/delete"),
        &[("cookie", &ana), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(location(&deleted), "/workspace?deleted=1");
    let workspace = get(
        &http,
        &format!("{base}/workspace?deleted=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(workspace.body.contains("The process is deleted."));
    assert_eq!(
        get(&http, &format!("{base}{process}"), &[]).await.status,
        404
    );
}

/// A signed-in administrator's organisation and a process in it planned
/// from the default schema: (their cookie, their form token, the
/// process's path, the organisation's path).
async fn planned_process(http: &reqwest::Client, base: &str) -> (String, String, String, String) {
    let ana = sign_in(http, base, "ana", "Ana Admin").await;
    let form = get(
        http,
        &format!("{base}/organizations/new"),
        &[("cookie", &ana)],
    )
    .await;
    let csrf = hidden(&form.body, "csrf");
    let created = post(
        http,
        &format!("{base}/organizations"),
        &[("cookie", &ana), ("origin", base)],
        &[
            ("csrf", &csrf),
            ("name", "Actur"),
            ("team_type", "citizen"),
            ("policy", "anyone"),
            ("public", "yes"),
        ],
    )
    .await;
    let org_id = location(&created)
        .split('?')
        .next()
        .expect("a path")
        .trim_start_matches("/organizations/")
        .to_owned();
    let made = post_once_allowed(
        http,
        &format!("{base}/workspace/processes"),
        &[("cookie", &ana), ("origin", base)],
        &[
            ("csrf", &csrf),
            ("title", "Parque del Actur"),
            ("organization", &org_id),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let process = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let planned = post(
        http,
        &format!("{base}{process}/plan"),
        &[("cookie", &ana), ("origin", base)],
        &[("csrf", &csrf), ("schema", "default")],
    )
    .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    (ana, csrf, process, format!("/organizations/{org_id}"))
}

/// The guide links (`/processes/{id}/guide/{kind}/{id}`) of `kind` on a
/// page, in order, once each.
fn guide_links(body: &str, process: &str, kind: &str) -> Vec<String> {
    let marker = format!("href=\"{process}/guide/{kind}/");
    let mut links: Vec<String> = Vec::new();
    for rest in body.split(&marker).skip(1) {
        if let Some(id) = rest.split(['"', '/', '?', '#']).next() {
            let link = format!("{process}/guide/{kind}/{id}");
            if !links.contains(&link) {
                links.push(link);
            }
        }
    }
    links
}

#[tokio::test]
async fn an_administrator_works_through_the_guide_item_by_item() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (ana, csrf, process, _) = planned_process(&http, &base).await;
    let with = |cookie: &str| vec![("cookie", cookie.to_owned()), ("origin", base.clone())];
    let ana_post = with(&ana);
    let ana_post: Vec<(&str, &str)> = ana_post.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // The guide opens at the first phase; its objectives and tasks link
    // to their own addresses.
    let guide = get(
        &http,
        &format!("{base}{process}/guide"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(guide.status, 200, "{}", guide.body);
    assert!(
        guide.body.contains("<a href=\"") && guide.body.contains("aria-current=\"page\">Guide</a>")
    );
    let phases = guide_links(&guide.body, &process, "phases");
    assert_eq!(phases.len(), 4, "{}", guide.body);
    assert!(
        guide
            .body
            .contains(&format!("<a href=\"{}\" aria-current=\"true\">", phases[0]))
    );
    let objectives = guide_links(&guide.body, &process, "objectives");
    let tasks = guide_links(&guide.body, &process, "tasks");
    assert!(objectives.len() >= 3 && tasks.len() >= 9, "{}", guide.body);
    let (map, invite) = (&tasks[0], &tasks[1]);
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert_eq!(panel.status, 200);
    assert!(
        panel
            .body
            .contains("<h2 id=\"panel-title\">Map the stakeholders</h2>")
    );
    assert!(
        panel
            .body
            .contains(&format!("<a href=\"{map}\" aria-current=\"page\">"))
    );
    assert!(panel.body.contains("Here you may:") && panel.body.contains("administer the process"));
    assert!(panel.body.contains(&format!("action=\"{map}/edit\"")));
    // A later phase's deep link shows that phase's tree.
    let later = get(&http, &format!("{base}{}", phases[1]), &[("cookie", &ana)]).await;
    assert!(later.body.contains("Synthesise insights"), "{}", later.body);
    assert!(!later.body.contains("Map the stakeholders"));

    // Edit: a day that does not exist, then an end before the start, are
    // refused beside their inputs with what was typed; then it is saved.
    let bad_day = post(
        &http,
        &format!("{base}{map}/edit"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Mapa de actores"),
            ("description", ""),
            ("start", "2027-02-30"),
            ("end", ""),
            ("problem_profiles", "org-01"),
        ],
    )
    .await;
    assert_eq!(bad_day.status, 400, "{}", bad_day.body);
    assert!(bad_day.body.contains("<a href=\"#start\">Give a real date"));
    assert!(bad_day.body.contains("value=\"Mapa de actores\""));
    let backwards = post(
        &http,
        &format!("{base}{map}/edit"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Mapa de actores"),
            ("start", "2027-03-10"),
            ("end", "2027-03-01"),
            ("problem_profiles", "org-01"),
        ],
    )
    .await;
    assert_eq!(backwards.status, 400, "{}", backwards.body);
    assert!(
        backwards
            .body
            .contains("<a href=\"#end\">The end must not be before the start")
    );
    let saved = post(
        &http,
        &format!("{base}{map}/edit"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Mapa de actores"),
            ("description", "Quién vive y trabaja en el barrio."),
            ("start", "2027-03-01"),
            ("end", "2027-03-31"),
            ("problem_profiles", "org-01, und-04"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(location(&saved), format!("{map}?done=saved"));
    let panel = get(
        &http,
        &format!("{base}{map}?done=saved"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        panel
            .body
            .contains("<p class=\"notice\" role=\"status\">Your changes are saved.</p>")
    );
    assert!(
        panel.body.contains(">Mapa de actores</h2>"),
        "{}",
        panel.body
    );
    assert!(panel.body.contains("From 1 March 2027 to 31 March 2027"));
    assert!(panel.body.contains("value=\"org-01, und-04\""));

    // Prerequisites: "Invite" comes after "Map"; making "Map" come after
    // "Invite" would be a loop, refused with both named.
    let looped = post(
        &http,
        &format!("{base}{map}/prerequisites"),
        &ana_post,
        &[
            ("csrf", &csrf),
            (
                "prerequisite",
                invite
                    .rsplit('/')
                    .next()
                    .map(|id| format!("tasks/{id}"))
                    .as_deref()
                    .unwrap_or_default(),
            ),
        ],
    )
    .await;
    assert_eq!(looped.status, 400, "{}", looped.body);
    assert!(looped.body.contains("These would go round in a loop"));
    let cycle = looped
        .body
        .split("<ol class=\"cycle\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("the loop's steps");
    assert!(
        cycle.contains(&format!("href=\"{invite}\"")) && cycle.contains(&format!("href=\"{map}\"")),
        "{cycle}"
    );
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert!(!panel.body.contains("Comes after"), "nothing changed");

    // A status from the panel: "Invite" waits for "Map", named with its
    // guide address; "Map" starts and the panel says so.
    let waits = post(
        &http,
        &format!(
            "{base}{process}/tasks/{}/status",
            invite.rsplit('/').next().unwrap_or_default()
        ),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("status", "in-progress"),
            ("back", "guide"),
        ],
    )
    .await;
    assert_eq!(waits.status, 409, "{}", waits.body);
    assert!(
        waits
            .body
            .contains(&format!("<a href=\"{map}\">Mapa de actores</a>")),
        "{}",
        waits.body
    );
    assert!(waits.body.contains(&format!("<a href=\"{invite}\">")));
    let starts = post(
        &http,
        &format!(
            "{base}{process}/tasks/{}/status",
            map.rsplit('/').next().unwrap_or_default()
        ),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("status", "in-progress"),
            ("back", "guide"),
        ],
    )
    .await;
    assert_eq!(starts.status, 303, "{}", starts.body);
    assert_eq!(location(&starts), format!("{map}?done=status"));

    // Add a task: blank refused beside its input; then made and shown.
    let objective = objectives[0]
        .trim_start_matches(&format!("{process}/guide/"))
        .to_owned();
    let blank = post(
        &http,
        &format!("{base}{process}/items"),
        &ana_post,
        &[("csrf", &csrf), ("parent", &objective), ("title", " ")],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(blank.body.contains("<a href=\"#child-title\">"));
    let added = post(
        &http,
        &format!("{base}{process}/items"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("parent", &objective),
            ("title", "Paseo por el barrio"),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let walk = location(&added).trim_end_matches("?done=added").to_owned();
    assert!(
        walk.starts_with(&format!("{process}/guide/tasks/")),
        "{walk}"
    );
    let panel = get(
        &http,
        &format!("{base}{walk}?done=added"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(panel.body.contains("The item is added."));
    assert!(panel.body.contains(">Paseo por el barrio</h2>"));
    // Copied, then the copy disabled after a confirmation.
    let copied = post(
        &http,
        &format!("{base}{walk}/copy"),
        &ana_post,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(copied.status, 303, "{}", copied.body);
    let copy = location(&copied)
        .trim_end_matches("?done=copied")
        .to_owned();
    assert_ne!(copy, walk);
    let confirm = get(&http, &format!("{base}{copy}/disable"), &[("cookie", &ana)]).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains(&format!("action=\"{copy}/disable\"")));
    let disabled = post(
        &http,
        &format!("{base}{copy}/disable"),
        &ana_post,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    let panel = get(&http, &format!("{base}{copy}"), &[("cookie", &ana)]).await;
    assert!(panel.body.contains("This item is disabled"));
    assert!(
        !panel.body.contains(&format!("action=\"{copy}/edit\"")),
        "a disabled item takes no edits"
    );

    // Resources: a link that is no link is refused; one is added; one
    // recommended interlinker is used; a search finds others.
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert!(
        panel
            .body
            .contains("Recommended for the problems of this task"),
        "{}",
        panel.body
    );
    let recommended = hidden(&panel.body, "interlinker");
    let not_a_link = post(
        &http,
        &format!("{base}{map}/assets"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("display_name", "Mapa"),
            ("uri", "ftp://example.org/map"),
        ],
    )
    .await;
    assert_eq!(not_a_link.status, 400, "{}", not_a_link.body);
    assert!(not_a_link.body.contains("<a href=\"#link-uri\">"));
    assert!(not_a_link.body.contains("value=\"ftp://example.org/map\""));
    let linked = post(
        &http,
        &format!("{base}{map}/assets"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("display_name", "Mapa compartido"),
            ("uri", "https://example.org/map"),
        ],
    )
    .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert_eq!(location(&linked), format!("{map}?done=asset#resources"));
    let used = post(
        &http,
        &format!("{base}{map}/assets"),
        &ana_post,
        &[("csrf", &csrf), ("interlinker", &recommended)],
    )
    .await;
    assert_eq!(used.status, 303, "{}", used.body);
    let panel = get(&http, &format!("{base}{map}?q=survey"), &[("cookie", &ana)]).await;
    assert!(panel.body.contains(
        "<a href=\"https://example.org/map\" rel=\"noopener noreferrer\">Mapa compartido</a>"
    ));
    assert!(panel.body.contains("Added by Ana Admin"));
    assert!(panel.body.contains(&format!(
        "href=\"/catalogue/{}\"",
        recommended.trim_start_matches("interlinkers/")
    )));
    let found = panel
        .body
        .split("From the catalogue")
        .nth(1)
        .expect("the search");
    assert!(
        found.contains("name=\"interlinker\""),
        "the search found interlinkers: {found}"
    );
    // Deleted after a confirmation.
    let delete = panel
        .body
        .split(&format!("href=\"{process}/assets/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("{process}/assets/{rest}"))
        .expect("a delete link");
    let confirm = get(&http, &format!("{base}{delete}"), &[("cookie", &ana)]).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    let deleted = post(
        &http,
        &format!("{base}{delete}"),
        &ana_post,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(
        location(&deleted),
        format!("{map}?done=asset-deleted#resources")
    );
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert_eq!(
        panel
            .body
            .matches(&format!("href=\"{process}/assets/"))
            .count(),
        1,
        "one asset left"
    );
    // The resources tab lists it with its task; filters narrow the list,
    // and a kind it does not know is refused.
    let all = get(
        &http,
        &format!("{base}{process}/resources"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(all.body.contains("aria-current=\"page\">Resources</a>"));
    assert!(
        all.body
            .contains("<h2 id=\"resources-heading\">One resource</h2>"),
        "{}",
        all.body
    );
    assert!(
        all.body
            .contains(&format!("<a href=\"{map}#resources\">Mapa de actores</a>"))
    );
    assert!(all.body.contains("<td>Ana Admin</td>"));
    let map_id = map.rsplit('/').next().unwrap_or_default();
    let by_task = get(
        &http,
        &format!("{base}{process}/resources?task={map_id}"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(by_task.body.contains("One resource"));
    assert!(by_task.body.contains(&format!(
        "<option value=\"{map_id}\" selected>Mapa de actores</option>"
    )));
    let nobody = get(
        &http,
        &format!("{base}{process}/resources?creator=nobody"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        nobody.body.contains("No resource matches these filters."),
        "{}",
        nobody.body
    );
    let unknown = get(
        &http,
        &format!("{base}{process}/resources?nature=video"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("nature: must be"));

    // Contributions: too long is refused; a claim is made and accepted.
    let long = "x".repeat(2001);
    let too_long = post(
        &http,
        &format!("{base}{map}/claims"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("kind", "development"),
            ("description", &long),
        ],
    )
    .await;
    assert_eq!(too_long.status, 400, "{}", too_long.body);
    assert!(too_long.body.contains("<a href=\"#claim-description\">"));
    let claimed = post(
        &http,
        &format!("{base}{map}/claims"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("kind", "management"),
            ("description", "Hice el mapa."),
        ],
    )
    .await;
    assert_eq!(claimed.status, 303, "{}", claimed.body);
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert!(
        panel
            .body
            .contains("<strong>Ana Admin</strong> · Management · waiting for a decision"),
        "{}",
        panel.body
    );
    let decide = form_action(&panel.body, &format!("{process}/claims/"));
    let decided = post(
        &http,
        &format!("{base}{decide}"),
        &ana_post,
        &[("csrf", &csrf), ("decision", "accept")],
    )
    .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    assert_eq!(
        location(&decided),
        format!("{map}?done=decided#contributions")
    );
    let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ana)]).await;
    assert!(panel.body.contains("Management · accepted"));
    let bad = post(
        &http,
        &format!("{base}{decide}"),
        &ana_post,
        &[("csrf", &csrf), ("decision", "maybe")],
    )
    .await;
    assert_eq!(bad.status, 400);

    // Monitoring, for the organisation's administrator: the figures follow
    // what happened (live, from events), the trail lists it and verifies.
    let card = |label: &str, value: &str| {
        format!(
            "<span class=\"kpi-label\">{label}</span> <strong class=\"kpi-value\">{value}</strong>"
        )
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let watched = loop {
        let page = get(
            &http,
            &format!("{base}{process}/monitoring"),
            &[("cookie", &ana)],
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
        if page.body.contains(&card("Contributions accepted", "1")) {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(
        watched
            .body
            .contains("aria-current=\"page\">Monitoring</a>")
    );
    assert!(
        watched.body.contains(&card("Processes", "1")),
        "{}",
        watched.body
    );
    assert!(watched.body.contains(&card("Contributions claimed", "1")));
    // Two resources were added and one deleted, today: one is left.
    assert!(watched.body.contains(&card("Resources", "1")));
    assert!(
        watched.body.contains("Change over the last 30 days: +1"),
        "{}",
        watched.body
    );
    assert!(watched.body.contains("The trail is intact:"));
    assert!(
        watched
            .body
            .contains("<td>Ana Admin</td><td>Task: status changed</td>"),
        "{}",
        watched.body
    );
    assert!(watched.body.contains("<td>Contribution: claimed</td>"));
    let claims_only = get(
        &http,
        &format!("{base}{process}/monitoring?model=claim"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(claims_only.body.contains("<td>Contribution: decided</td>"));
    assert!(!claims_only.body.contains("Task: status changed"));
    let unknown = get(
        &http,
        &format!("{base}{process}/monitoring?model=drop"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(unknown.status, 400);

    // The work plan: a chart with a bar per dated item, each row a link
    // to the item in the guide (relative to the process's pages), arrows
    // for prerequisites; also a file of its own. A scale out of shape is
    // refused.
    let dated = post(
        &http,
        &format!("{base}{invite}/edit"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Invite participants"),
            ("start", "2027-04-01"),
            ("end", "2027-04-15"),
        ],
    )
    .await;
    assert_eq!(dated.status, 303, "{}", dated.body);
    let plan = get(
        &http,
        &format!("{base}{process}/workplan"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert!(plan.body.contains("aria-current=\"page\">Work plan</a>"));
    let map_name = map.trim_start_matches(&format!("{process}/"));
    assert!(
        plan.body.contains(&format!(
            "<a href=\"{map_name}\"><title>Mapa de actores: In progress"
        )),
        "{}",
        plan.body
    );
    assert!(plan.body.contains("1 March 2027 – 31 March 2027"));
    assert!(
        plan.body.contains("marker-end=\"url(#h)\"/>"),
        "Invite waits for Map: {}",
        plan.body
    );
    assert!(
        plan.body.contains("<a href=\"/processes/")
            && plan
                .body
                .contains("/workplan?zoom=week\" aria-current=\"page\">Weeks</a>")
    );
    let file = get(
        &http,
        &format!("{base}{process}/workplan.svg?zoom=month"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.headers["content-type"], "image/svg+xml; charset=utf-8");
    assert!(
        file.body
            .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")
    );
    assert!(file.body.contains(">Mar 2027</text>"), "{}", file.body);
    let bad_zoom = get(
        &http,
        &format!("{base}{process}/workplan?zoom=year"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(bad_zoom.status, 400);
    assert!(bad_zoom.body.contains("zoom: must be day, week or month"));

    // Someone else: the private process's guide is not there for them, and
    // an address that is no item is no page.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    assert_eq!(
        get(&http, &format!("{base}{map}"), &[("cookie", &ben)])
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &http,
            &format!("{base}{process}/guide/teams/x"),
            &[("cookie", &ana)]
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn a_process_administrator_grants_a_team_rights_and_its_member_uses_them() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (ana, csrf, process, org) = planned_process(&http, &base).await;
    let ana_post = [("cookie", ana.as_str()), ("origin", base.as_str())];

    // A team of the organisation, which Ben joins.
    let made = post(
        &http,
        &format!("{base}{org}/teams"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("name", "Vecinos"),
            ("team_type", "citizen"),
        ],
    )
    .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let team = location(&made)
        .split('?')
        .next()
        .expect("a path")
        .to_owned();
    let ben = sign_in(&http, &base, "ben", "Ben Vecino").await;
    let ben_page = get(&http, &format!("{base}{team}"), &[("cookie", &ben)]).await;
    let ben_csrf = hidden(&ben_page.body, "csrf");
    let ben_post = [("cookie", ben.as_str()), ("origin", base.as_str())];
    let applied = post(
        &http,
        &format!("{base}{team}/applications"),
        &ben_post,
        &[("csrf", &ben_csrf), ("reason", "Vivo aquí.")],
    )
    .await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    let ana_page = get(&http, &format!("{base}{team}"), &[("cookie", &ana)]).await;
    let decide = form_action(&ana_page.body, &format!("{team}/applications/"));
    let accepted = post(
        &http,
        &format!("{base}{decide}"),
        &ana_post,
        &[("csrf", &csrf), ("decision", "accept")],
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);

    // The overview's set-up steps: planned, but no team brought in yet.
    let overview = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert!(
        overview.body.contains("Setting up the process"),
        "{}",
        overview.body
    );
    assert!(overview.body.contains(&format!("<li class=\"done\"><a href=\"{process}/guide\">Plan it from a schema</a> <span class=\"step-state\">done</span>")));
    assert!(overview.body.contains(&format!(
        "<li class=\"pending\"><a href=\"{process}/team\">Bring in teams</a>"
    )));
    assert!(overview.body.contains(&format!(
        "<li class=\"pending\"><a href=\"{process}/settings\">Describe the process"
    )));
    // The team tab: Ana alone administers; no team has rights yet.
    let page = get(&http, &format!("{base}{process}/team"), &[("cookie", &ana)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("aria-current=\"page\">Team</a>"));
    assert!(
        page.body.contains("<li><span>Ana Admin</span>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("No team has rights in this process yet.")
    );
    let team_name = format!("teams/{}", team.trim_start_matches("/teams/"));
    assert!(
        page.body
            .contains(&format!("<option value=\"{team_name}\""))
    );
    // A grant of no right is refused beside the rights, the choice kept.
    let guide = get(
        &http,
        &format!("{base}{process}/guide"),
        &[("cookie", &ana)],
    )
    .await;
    let map = guide_links(&guide.body, &process, "tasks")[0].clone();
    let map_name = map
        .trim_start_matches(&format!("{process}/guide/"))
        .to_owned();
    let none = post(
        &http,
        &format!("{base}{process}/grants"),
        &ana_post,
        &[("csrf", &csrf), ("team", &team_name), ("item", &map_name)],
    )
    .await;
    assert_eq!(none.status, 400, "{}", none.body);
    assert!(
        none.body
            .contains("<a href=\"#grant-rights\">Choose at least one right</a>")
    );
    assert!(
        none.body
            .contains(&format!("<option value=\"{map_name}\" selected>"))
    );
    // Ben may not see the private process before the grant.
    assert_eq!(
        get(&http, &format!("{base}{map}"), &[("cookie", &ben)])
            .await
            .status,
        404
    );
    let granted = post(
        &http,
        &format!("{base}{process}/grants"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("team", &team_name),
            ("item", &map_name),
            ("access_assets", "on"),
            ("create_assets", "on"),
        ],
    )
    .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    assert_eq!(location(&granted), format!("{process}/team?granted=1"));
    let page = get(
        &http,
        &format!("{base}{process}/team?granted=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("The team has its rights."));
    assert!(
        page.body.contains(&format!(
            "<td><a href=\"{map}\">Map the stakeholders</a></td>"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td>open resources, add resources</td>"));
    // The steps follow: a team is in, and it may work on the process; the
    // latest activity names the grant.
    let overview = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
    assert!(overview.body.contains(&format!(
        "<li class=\"done\"><a href=\"{process}/team\">Bring in teams</a>"
    )));
    assert!(overview.body.contains(&format!(
        "<li class=\"done\"><a href=\"{process}/team\">Let teams work on it</a>"
    )));
    assert!(overview.body.contains(&format!(
        "<li class=\"pending\"><a href=\"{process}/guide\">Start the first task</a>"
    )));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let overview = get(&http, &format!("{base}{process}"), &[("cookie", &ana)]).await;
        if overview
            .body
            .contains("The team Vecinos was given “Map the stakeholders”.</a>")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", overview.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Ben, a member of the granted team, is offered as an administrator.
    assert!(
        page.body.contains("Make Ben Vecino an administrator"),
        "{}",
        page.body
    );

    // Once co-production has heard of Ben's membership, he sees the task,
    // may add resources there, and adds one.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let ben_panel = loop {
        let panel = get(&http, &format!("{base}{map}"), &[("cookie", &ben)]).await;
        if panel.status == 200 && panel.body.contains("add resources") {
            break panel;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} {}",
            panel.status,
            panel.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(!ben_panel.body.contains("administer the process"));
    assert!(
        !ben_panel.body.contains(&format!("action=\"{map}/edit\"")),
        "Ben does not edit the plan"
    );
    assert!(
        ben_panel
            .body
            .contains("Vecinos</a>: open resources, add resources"),
        "{}",
        ben_panel.body
    );
    let ben_csrf = hidden(&ben_panel.body, "csrf");
    let linked = post(
        &http,
        &format!("{base}{map}/assets"),
        &ben_post,
        &[
            ("csrf", &ben_csrf),
            ("display_name", "Fotos del barrio"),
            ("uri", "https://example.org/fotos"),
        ],
    )
    .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    // The team tab shows him no forms.
    let ben_team = get(&http, &format!("{base}{process}/team"), &[("cookie", &ben)]).await;
    assert_eq!(ben_team.status, 200, "{}", ben_team.body);
    assert!(
        !ben_team.body.contains(&format!("action=\"{process}/")),
        "{}",
        ben_team.body
    );

    // Ana makes Ben an administrator, then removes him; she cannot remove
    // herself while she is the last.
    let ben_user = hidden(
        page.body
            .split("Members of the teams taking part")
            .nth(1)
            .expect("candidates"),
        "user",
    );
    let made_admin = post(
        &http,
        &format!("{base}{process}/administrators"),
        &ana_post,
        &[("csrf", &csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(made_admin.status, 303, "{}", made_admin.body);
    let page = get(&http, &format!("{base}{process}/team"), &[("cookie", &ana)]).await;
    assert!(
        page.body.contains("Remove Ben Vecino as administrator"),
        "{}",
        page.body
    );
    // Two administrators: each may be removed; Ana is listed first.
    let ana_user = hidden(
        page.body
            .split("Process administrators")
            .nth(1)
            .expect("administrators"),
        "user",
    );
    let removed = post(
        &http,
        &format!("{base}{process}/administrators/remove"),
        &ana_post,
        &[("csrf", &csrf), ("user", &ben_user)],
    )
    .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    let page = get(&http, &format!("{base}{process}/team"), &[("cookie", &ana)]).await;
    assert!(!page.body.contains("Remove Ben Vecino as administrator"));
    let last = post(
        &http,
        &format!("{base}{process}/administrators/remove"),
        &ana_post,
        &[("csrf", &csrf), ("user", &ana_user)],
    )
    .await;
    assert_eq!(last.status, 409, "{}", last.body);

    // Revoked: Ben no longer sees the task.
    let revoke = form_action(&page.body, &format!("{process}/grants/"));
    let revoked = post(
        &http,
        &format!("{base}{revoke}"),
        &ana_post,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let page = get(
        &http,
        &format!("{base}{process}/team?revoked=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        page.body
            .contains("No team has rights in this process yet.")
    );
    assert_eq!(
        get(&http, &format!("{base}{map}"), &[("cookie", &ben)])
            .await
            .status,
        404
    );
}

/// Posts a `multipart/form-data` form of `(name, file name, value)` parts,
/// as a browser sends a form with a file.
async fn post_multipart(
    http: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    parts: &[(&str, Option<&str>, &str)],
) -> Page {
    let boundary = "----interlink-test-boundary-7d1c";
    let mut body = String::new();
    for (name, file, value) in parts {
        body.push_str(&format!("--{boundary}\r\n"));
        match file {
            Some(file) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/json\r\n\r\n"
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            )),
        }
        body.push_str(value);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let mut request = http
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
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
async fn processes_are_imported_from_files_cloned_cleared_and_started_again_from_stories() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_up, base) = serve_up(&dir.path().join("data"), &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (ana, csrf, process, org) = planned_process(&http, &base).await;
    let ana_post = [("cookie", ana.as_str()), ("origin", base.as_str())];
    let org_id = org.trim_start_matches("/organizations/");
    let export = get(
        &http,
        &format!("{base}{process}/export"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(export.status, 200);

    // Import: the form; a file that is no process document, then one with
    // a blank title, are refused naming the place in the file; nothing is
    // made. The exported file makes a new process.
    let form = get(
        &http,
        &format!("{base}/workspace/import"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let not_json = post_multipart(
        &http,
        &format!("{base}/workspace/import"),
        &ana_post,
        &[
            ("csrf", None, &csrf),
            ("organization", None, org_id),
            ("file", Some("p.json"), "{ not json"),
        ],
    )
    .await;
    assert_eq!(not_json.status, 400, "{}", not_json.body);
    assert!(
        not_json
            .body
            .contains("<code>json</code>: is not a process document"),
        "{}",
        not_json.body
    );
    let mut document: serde_json::Value = serde_json::from_str(&export.body).expect("JSON");
    document["process"]["title"] = serde_json::Value::String(String::new());
    let blank = post_multipart(
        &http,
        &format!("{base}/workspace/import"),
        &ana_post,
        &[
            ("csrf", None, &csrf),
            ("organization", None, org_id),
            ("file", Some("p.json"), &document.to_string()),
        ],
    )
    .await;
    assert_eq!(blank.status, 400, "{}", blank.body);
    assert!(
        blank.body.contains("<code>process.title</code>"),
        "{}",
        blank.body
    );
    assert!(
        blank
            .body
            .contains(&format!("<option value=\"{org_id}\" selected")),
        "the choice is kept"
    );
    let missing = post_multipart(
        &http,
        &format!("{base}/workspace/import"),
        &ana_post,
        &[
            ("csrf", None, &csrf),
            ("organization", None, org_id),
            ("file", Some("p.json"), ""),
        ],
    )
    .await;
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("Choose the file to import"));
    let forged = post_multipart(
        &http,
        &format!("{base}/workspace/import"),
        &ana_post,
        &[
            ("csrf", None, "forged"),
            ("organization", None, org_id),
            ("file", Some("p.json"), &export.body),
        ],
    )
    .await;
    assert_eq!(forged.status, 403);
    let workspace = get(&http, &format!("{base}/workspace"), &[("cookie", &ana)]).await;
    assert_eq!(
        workspace.body.matches("Parque del Actur</a>").count(),
        1,
        "nothing imported yet"
    );
    let imported = post_multipart(
        &http,
        &format!("{base}/workspace/import"),
        &ana_post,
        &[
            ("csrf", None, &csrf),
            ("organization", None, org_id),
            ("file", Some("p.json"), &export.body),
        ],
    )
    .await;
    assert_eq!(imported.status, 303, "{}", imported.body);
    let copy = location(&imported)
        .trim_end_matches("?imported=1")
        .to_owned();
    assert_ne!(copy, process);
    let page = get(
        &http,
        &format!("{base}{copy}?imported=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("The process is imported."));
    assert!(
        page.body.contains("Map the stakeholders"),
        "its plan came along"
    );

    // Clone from the settings, with a title of its own.
    let settings = get(
        &http,
        &format!("{base}{process}/settings"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        settings
            .body
            .contains(&format!("action=\"{process}/clone\""))
    );
    let cloned = post(
        &http,
        &format!("{base}{process}/clone"),
        &ana_post,
        &[("csrf", &csrf), ("title", "Parque del Actur, segunda fase")],
    )
    .await;
    assert_eq!(cloned.status, 303, "{}", cloned.body);
    let clone = location(&cloned).trim_end_matches("?cloned=1").to_owned();
    let page = get(
        &http,
        &format!("{base}{clone}?cloned=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        page.body
            .contains("<h1>Parque del Actur, segunda fase</h1>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("This is the new process"));

    // Clear the clone's plan after the confirmation: planned again later.
    let confirm = get(&http, &format!("{base}{clone}/clear"), &[("cookie", &ana)]).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains(&format!("action=\"{clone}/clear\"")));
    let cleared = post(
        &http,
        &format!("{base}{clone}/clear"),
        &ana_post,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(cleared.status, 303, "{}", cleared.body);
    let page = get(
        &http,
        &format!("{base}{clone}?cleared=1"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("The plan is cleared"));
    assert!(
        page.body.contains(&format!("action=\"{clone}/plan\"")),
        "it may be planned again"
    );
    assert!(!page.body.contains("Map the stakeholders"));

    // A story of the first process starts a process like it.
    let task = get(
        &http,
        &format!("{base}{process}/guide"),
        &[("cookie", &ana)],
    )
    .await;
    let map = guide_links(&task.body, &process, "tasks")[0].clone();
    let started = post(
        &http,
        &format!(
            "{base}{process}/tasks/{}/status",
            map.rsplit('/').next().unwrap_or_default()
        ),
        &ana_post,
        &[("csrf", &csrf), ("status", "in-progress")],
    )
    .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let published = post(
        &http,
        &format!("{base}{process}/stories"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Un parque para todos"),
            ("results", "Un parque."),
        ],
    )
    .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let story = location(&published)
        .trim_end_matches("?published=1")
        .to_owned();
    let story_page = get(&http, &format!("{base}{story}"), &[("cookie", &ana)]).await;
    assert!(
        story_page
            .body
            .contains(&format!("action=\"{story}/clone\""))
    );
    let again = post(
        &http,
        &format!("{base}{story}/clone"),
        &ana_post,
        &[("csrf", &csrf), ("title", "Otro parque")],
    )
    .await;
    assert_eq!(again.status, 303, "{}", again.body);
    let again = location(&again).trim_end_matches("?cloned=1").to_owned();
    let page = get(&http, &format!("{base}{again}"), &[("cookie", &ana)]).await;
    assert!(page.body.contains("<h1>Otro parque</h1>"));
    // The workspace finds them by words of the title and by tag, sorted.
    let tagged = post(
        &http,
        &format!("{base}{again}/settings"),
        &ana_post,
        &[
            ("csrf", &csrf),
            ("title", "Otro parque"),
            ("language", "es"),
            ("tags", "verde, barrio"),
        ],
    )
    .await;
    assert_eq!(tagged.status, 303, "{}", tagged.body);
    let found = get(
        &http,
        &format!("{base}/workspace?q=SEGUNDA"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        found.body.contains("Parque del Actur, segunda fase</a>"),
        "{}",
        found.body
    );
    assert!(!found.body.contains("Otro parque</a>"));
    assert!(
        found
            .body
            .contains("<input type=\"search\" id=\"q\" name=\"q\" value=\"SEGUNDA\">")
    );
    let by_tag = get(
        &http,
        &format!("{base}/workspace?tag=verde"),
        &[("cookie", &ana)],
    )
    .await;
    assert!(by_tag.body.contains("Otro parque</a>"), "{}", by_tag.body);
    assert!(!by_tag.body.contains("segunda fase</a>"));
    assert!(
        by_tag
            .body
            .contains("<a class=\"tag\" href=\"/workspace?tag=barrio\">barrio</a>"),
        "{}",
        by_tag.body
    );
    let by_title = get(
        &http,
        &format!("{base}/workspace?sort=title"),
        &[("cookie", &ana)],
    )
    .await;
    let at = |title: &str| {
        by_title
            .body
            .find(&format!("{title}</a>"))
            .unwrap_or(usize::MAX)
    };
    assert!(
        at("Otro parque") < at("Parque del Actur"),
        "{}",
        by_title.body
    );
    assert!(at("Parque del Actur") < at("Parque del Actur, segunda fase"));
    assert!(
        by_title
            .body
            .contains("<option value=\"title\" selected>By title</option>")
    );
    let bad = get(
        &http,
        &format!("{base}/workspace?sort=size"),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(bad.status, 400);
    // Someone outside the organisation may not start one there.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let ben_page = get(&http, &format!("{base}/workspace/new"), &[("cookie", &ben)]).await;
    let ben_csrf = hidden(&ben_page.body, "csrf");
    let refused = post(
        &http,
        &format!("{base}{story}/clone"),
        &[("cookie", ben.as_str()), ("origin", base.as_str())],
        &[("csrf", &ben_csrf), ("title", "Mío")],
    )
    .await;
    assert!(
        refused.status == 403 || refused.status == 404,
        "{} {}",
        refused.status,
        refused.body
    );
}

/// The path of the first notification link of an inbox page.
fn first_notification(body: &str) -> String {
    body.split("href=\"/notifications/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|rest| rest.ends_with("/open"))
        .map(|rest| format!("/notifications/{rest}"))
        .unwrap_or_else(|| panic!("no notification in {body}"))
}

#[tokio::test]
async fn the_bell_counts_what_concerns_a_person_and_the_inbox_marks_it() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    // Anonymous visitors are sent to sign in.
    let anonymous = get(&http, &format!("{base}/notifications"), &[]).await;
    assert_eq!(anonymous.status, 303);

    // Ben has nothing yet: the bell shows no count.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let empty = get(&http, &format!("{base}/notifications"), &[("cookie", &ben)]).await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(
        empty.body.contains("Nothing to tell you yet"),
        "{}",
        empty.body
    );
    assert!(
        empty
            .body
            .contains("href=\"/notifications\" class=\"bell\"")
    );
    assert!(!empty.body.contains("bell-count"));

    // Ana adds Ben to her team.
    let api = |subject: &str| common::Api {
        http: http.clone(),
        base: base.clone(),
        token: common::mint(&data, subject, false),
    };
    let (ana_api, ben_api) = (api("ana"), api("ben"));
    ben_api.ok(M::GET, "/v1/users/me", None).await;
    ana_api.ok(M::GET, "/v1/users/me", None).await;
    let team =
        common::team_in_new_organization(&ana_api, json!({"en": "Gardens", "es": "Huertos"})).await;
    let ben_user = interlink_runtime::api::user_name("ben");
    let add = || async {
        ana_api
            .ok(
                M::POST,
                &format!("/v1/{team}/members"),
                Some(json!({"user": ben_user})),
            )
            .await
    };
    add().await;

    // The notification arrives; the bell counts it on every page.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let inbox = loop {
        let page = get(&http, &format!("{base}/notifications"), &[("cookie", &ben)]).await;
        if page.body.contains("added you to the team Gardens.") {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(inbox.body.contains("You have 1 unseen notification."));
    let home = get(&http, &format!("{base}/"), &[("cookie", &ben)]).await;
    assert!(
        home.body.contains(
            "<span class=\"badge\" id=\"bell-count\" aria-hidden=\"true\">1</span><span class=\"visually-hidden\" id=\"bell-unseen\">, 1 unseen</span>"
        ),
        "{}",
        home.body
    );
    // In Spanish, with the team's Spanish name.
    let spanish = get(
        &http,
        &format!("{base}/notifications"),
        &[("cookie", &ben), ("accept-language", "es")],
    )
    .await;
    assert!(
        spanish.body.contains("te ha añadido al equipo Huertos."),
        "{}",
        spanish.body
    );

    // Opening it marks it seen and goes to the team.
    let open = first_notification(&inbox.body);
    assert!(open.ends_with("/open"), "{open}");
    let opened = get(&http, &format!("{base}{open}"), &[("cookie", &ben)]).await;
    assert_eq!(opened.status, 303);
    assert_eq!(location(&opened), format!("/{team}"));
    let home = get(&http, &format!("{base}/"), &[("cookie", &ben)]).await;
    assert!(!home.body.contains("bell-count"), "{}", home.body);
    // Someone else's, or no such one: not found.
    let ana_web = sign_in(&http, &base, "ana", "Ana Admin").await;
    let theirs = get(&http, &format!("{base}{open}"), &[("cookie", &ana_web)]).await;
    assert_eq!(theirs.status, 404);
    let nonsense = get(
        &http,
        &format!("{base}/notifications/not-an-id/open"),
        &[("cookie", &ben)],
    )
    .await;
    assert_eq!(nonsense.status, 404);

    // Removed, then added again: two unseen.
    ana_api
        .ok(M::DELETE, &format!("/v1/{team}/members/{ben_user}"), None)
        .await;
    add().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let inbox = loop {
        let page = get(&http, &format!("{base}/notifications"), &[("cookie", &ben)]).await;
        // The count and the list are two reads: wait for the list too.
        if page.body.contains("You have 2 unseen notifications.")
            && page.body.matches("/open\">").count() == 3
        {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "{}", page.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(inbox.body.contains("removed you from the team Gardens."));
    let csrf = hidden(&inbox.body, "csrf");

    // Without the page's token nothing changes.
    let up_to = hidden(&inbox.body, "up_to");
    let forged = post(
        &http,
        &format!("{base}/notifications/seen"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", "forged"), ("up_to", &up_to)],
    )
    .await;
    assert_eq!(forged.status, 403);

    // Archiving the newest takes it out of the inbox, into the archive.
    let newest = first_notification(&inbox.body);
    let id = newest
        .trim_start_matches("/notifications/")
        .trim_end_matches("/open");
    let archived = post(
        &http,
        &format!("{base}/notifications/{id}/archive"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(archived.status, 303, "{}", archived.body);
    let after = get(
        &http,
        &format!("{base}{}", location(&archived)),
        &[("cookie", &ben)],
    )
    .await;
    assert!(after.body.contains("The notification is archived."));
    assert!(after.body.contains("You have 1 unseen notification."));
    let archive = get(
        &http,
        &format!("{base}/notifications?archived=1"),
        &[("cookie", &ben)],
    )
    .await;
    assert!(archive.body.contains(&format!("/notifications/{id}/open")));

    // Marking all seen clears the bell.
    let all = post(
        &http,
        &format!("{base}/notifications/seen"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &csrf), ("up_to", &up_to)],
    )
    .await;
    assert_eq!(all.status, 303, "{}", all.body);
    let after = get(
        &http,
        &format!("{base}{}", location(&all)),
        &[("cookie", &ben)],
    )
    .await;
    assert!(
        after
            .body
            .contains("All your notifications are marked as seen.")
    );
    assert!(!after.body.contains("bell-count"), "{}", after.body);
}

#[tokio::test]
async fn a_person_chooses_what_is_emailed_and_stops_it_from_an_email() {
    use interlink_runtime::testing::smtp::SmtpServer;
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let mut smtp = SmtpServer::reserve(dir.path());
    smtp.start().await;
    let (_up, base) = serve_up(
        &data,
        &[
            ("INTERLINK__NOTIFICATIONS__SMTP_URL", smtp.url()),
            (
                "INTERLINK__NOTIFICATIONS__MAIL_FROM",
                "Participa <no-reply@participa.example.org>".into(),
            ),
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let origin = base.clone();

    // Ben registers with an address (his identity provider's).
    let token = |subject: &str, email: &str| {
        let output = std::process::Command::new(common::BIN)
            .args([
                "token", "--sub", subject, "--name", subject, "--email", email,
            ])
            .arg("--data-dir")
            .arg(&data)
            .output()
            .expect("interlink token");
        String::from_utf8(output.stdout)
            .expect("utf-8")
            .trim()
            .to_owned()
    };
    let api = |token: String| common::Api {
        http: http.clone(),
        base: base.clone(),
        token,
    };
    let (ana_api, ben_api) = (
        api(token("ana", "ana@example.org")),
        api(token("ben", "ben@example.org")),
    );
    ben_api.ok(M::GET, "/v1/users/me", None).await;
    ana_api.ok(M::GET, "/v1/users/me", None).await;

    // His preferences page: his address, every kind at its default.
    let ben = sign_in(&http, &base, "ben", "Ben Bold").await;
    let page = get(
        &http,
        &format!("{base}/notifications/preferences"),
        &[("cookie", &ben)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("E-mails go to ben@example.org"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "id=\"kind-team_member_added-immediate\" name=\"kind-team_member_added\" value=\"immediate\" checked"
    ));
    assert!(page.body.contains(
        "id=\"kind-story_published-daily\" name=\"kind-story_published\" value=\"daily\" checked"
    ));
    // He wants invitations in the inbox only.
    let csrf = hidden(&page.body, "csrf");
    let saved = post(
        &http,
        &format!("{base}/notifications/preferences"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", &csrf), ("kind-invitation", "never")],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = get(
        &http,
        &format!("{base}{}", location(&saved)),
        &[("cookie", &ben)],
    )
    .await;
    assert!(
        page.body.contains(
            "id=\"kind-invitation-never\" name=\"kind-invitation\" value=\"never\" checked"
        )
    );
    let forged = post(
        &http,
        &format!("{base}/notifications/preferences"),
        &[("cookie", &ben), ("origin", &origin)],
        &[("csrf", "forged"), ("kind-invitation", "immediate")],
    )
    .await;
    assert_eq!(forged.status, 403);

    // Ana invites him to a team, then adds him: one e-mail, the addition.
    let team = common::team_in_new_organization(&ana_api, json!({"en": "Gardens"})).await;
    ana_api
        .ok(
            M::POST,
            &format!("/v1/{team}/invitations"),
            Some(json!({"email": "ben@example.org"})),
        )
        .await;
    ana_api
        .ok(
            M::POST,
            &format!("/v1/{team}/members"),
            Some(json!({"user": interlink_runtime::api::user_name("ben")})),
        )
        .await;
    let mails = smtp.wait_for(1).await;
    assert_eq!(mails[0].header("to"), "ben <ben@example.org>");
    assert_eq!(mails[0].subject(), "ana added you to the team Gardens.");
    let body = mails[0].decoded();
    assert!(body.contains(&format!("{base}/teams/")), "{body}");

    // The e-mail's link: a page asking to confirm, then done, no sign-in.
    let link = mails[0]
        .header("list-unsubscribe")
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(
        link.starts_with(&format!("{base}/unsubscribe?token=")),
        "{link}"
    );
    let confirm = get(&http, &link, &[]).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("Stop these e-mails"),
        "{}",
        confirm.body
    );
    let token_in_form = hidden(&confirm.body, "token");
    let stopped = post(
        &http,
        &format!("{base}/unsubscribe"),
        &[],
        &[("token", &token_in_form)],
    )
    .await;
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    assert!(
        stopped
            .body
            .contains("You will get no more e-mails of this kind: When I am added to a team."),
        "{}",
        stopped.body
    );
    // A mail program's one-click POST to the same link works too.
    let one_click = http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("one click");
    assert_eq!(one_click.status().as_u16(), 200);
    // A forged link changes nothing.
    let forged = post(
        &http,
        &format!("{base}/unsubscribe"),
        &[],
        &[("token", &format!("{token_in_form}0"))],
    )
    .await;
    assert_eq!(forged.status, 400);
    assert!(forged.body.contains("This link does not work"));
    let page = get(
        &http,
        &format!("{base}/notifications/preferences"),
        &[("cookie", &ben)],
    )
    .await;
    assert!(page.body.contains(
        "id=\"kind-team_member_added-never\" name=\"kind-team_member_added\" value=\"never\" checked"
    ));

    // What he may take away: his notifications and preferences, as JSON.
    let export = get(
        &http,
        &format!("{base}/me/export/notifications"),
        &[("cookie", &ben)],
    )
    .await;
    assert_eq!(export.status, 200);
    assert_eq!(export.headers["cache-control"], "no-store");
    let data: serde_json::Value = serde_json::from_str(&export.body).expect("JSON");
    let kinds: Vec<&str> = data["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "NOTIFICATION_KIND_TEAM_MEMBER_ADDED",
            "NOTIFICATION_KIND_INVITATION"
        ]
    );
    assert_eq!(
        data["preferences"]["emailAddress"],
        serde_json::json!("ben@example.org")
    );
    assert_eq!(data["preferences"]["emailEnabled"], serde_json::json!(true));
    smtp.stop().await;
}

/// Signs `subject` in as a platform administrator through the dev sign-in
/// page; the session cookie.
async fn sign_in_as_platform_admin(http: &reqwest::Client, base: &str, subject: &str) -> String {
    let form = get(http, &format!("{base}/sign-in"), &[]).await;
    let anonymous = cookie_pair(&form.headers);
    let csrf = hidden(&form.body, "csrf");
    let signed = post(
        http,
        &format!("{base}/sign-in"),
        &[("cookie", &anonymous)],
        &[("csrf", &csrf), ("subject", subject), ("admin", "yes")],
    )
    .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    cookie_pair(&signed.headers)
}

/// Reloads `url` until its body satisfies `ready`; the page that did.
async fn page_until(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    what: &str,
    ready: impl Fn(&str) -> bool,
) -> Page {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let page = get(http, url, &[("cookie", cookie)]).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if ready(&page.body) {
            return page;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} never came: {}",
            page.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn platform_administrators_trust_federation_peers_through_their_pages() {
    // Deployment A, whose feed this one (B) reads over loopback http.
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("temporary directory"),
        tempfile::tempdir().expect("temporary directory"),
    );
    let (_a, base_a) = serve_up(&dir_a.path().join("data"), &[]).await;
    let data = dir_b.path().join("data");
    let (_b, base) = serve_up(
        &data,
        &[
            ("INTERLINK__FEDERATION__ALLOW_HTTP", "true".into()),
            ("INTERLINK__FEDERATION__SYNC_INTERVAL_SECS", "1".into()),
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let peers_url = format!("{base}/admin/peers");
    let kid_of = |keys: serde_json::Value| {
        keys["keys"][0]["kid"]
            .as_str()
            .expect("a key id")
            .to_owned()
    };
    let keys_of = |base: String| {
        let http = http.clone();
        async move {
            http.get(format!("{base}/.well-known/interlink-federation"))
                .send()
                .await
                .expect("keys")
                .json::<serde_json::Value>()
                .await
                .expect("JSON")
        }
    };
    let (kid_a, kid_b) = (
        kid_of(keys_of(base_a.clone()).await),
        kid_of(keys_of(base.clone()).await),
    );
    // The peers, as the REST API lists them to a platform administrator.
    let api = common::Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: common::mint(&data, "api-admin", true),
    };
    let peer_count = || async {
        api.ok(reqwest::Method::GET, "/v1/peers", None).await["peers"]
            .as_array()
            .map_or(0, Vec::len)
    };

    // Anonymous visitors are sent to sign in first.
    let anonymous = get(&http, &peers_url, &[]).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        location(&anonymous),
        "/sign-in?next=/admin/peers",
        "{}",
        anonymous.body
    );

    // Someone who is not a platform administrator: refused, no menu link,
    // and their form changes nothing.
    let ben = sign_in(&http, &base, "ben", "Ben Citizen").await;
    let refused = get(&http, &peers_url, &[("cookie", &ben)]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!refused.body.contains("href=\"/admin/peers\""));
    let home = get(&http, &format!("{base}/"), &[("cookie", &ben)]).await;
    assert!(!home.body.contains("href=\"/admin/peers\""));
    let csrf = hidden(&refused.body, "csrf");
    let feed_a = format!("{base_a}/v1/federation/feed");
    let forged = post(
        &http,
        &peers_url,
        &[("cookie", &ben)],
        &[
            ("csrf", &csrf),
            ("feed_url", &feed_a),
            ("pinned_keys", &kid_a),
        ],
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(peer_count().await, 0);

    // A platform administrator: the menu's link, this deployment's feed
    // address and key id to send to other PAs, no peers yet.
    let ana = sign_in_as_platform_admin(&http, &base, "ana").await;
    let page = get(&http, &peers_url, &[("cookie", &ana)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<a href=\"/admin/peers\" aria-current=\"page\">Federation</a>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "id=\"own-feed-url\" value=\"{base}/v1/federation/feed\" readonly"
        )),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("id=\"own-key-id\" value=\"{kid_b}\" readonly")),
        "{}",
        page.body
    );
    assert!(page.body.contains("This platform trusts no peers yet."));
    let csrf = hidden(&page.body, "csrf");

    // Bad fields: each message beside its input with the API's words,
    // what was typed kept, nothing added.
    let bad = post(
        &http,
        &peers_url,
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", "ftp://peer.example.org/feed"),
            ("pinned_keys", &format!("{kid_a}, not-a-key-id")),
            ("display_name", "Riga"),
        ],
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body.contains("<p class=\"error\" id=\"feed-url-error\"><span class=\"visually-hidden\">Error:</span> Enter the feed&#39;s address as an https:// link (<span lang=\"en\">must be an http:// or https:// URL</span>)</p>"),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("(<span lang=\"en\">not-a-key-id: must be a key id"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("<a href=\"#feed-url\">"));
    assert!(bad.body.contains("<a href=\"#pinned-keys\">"));
    assert!(bad.body.contains("value=\"ftp://peer.example.org/feed\""));
    assert!(
        bad.body
            .contains(&format!(">{kid_a}, not-a-key-id</textarea>"))
    );
    assert!(bad.body.contains("value=\"Riga\""));
    assert_eq!(peer_count().await, 0);

    // Added with a plain form post: A's feed, its key id pinned (one a
    // line). Its keys and feed are read: A's key trusted, read in full.
    let added = post(
        &http,
        &peers_url,
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", &feed_a),
            ("pinned_keys", &format!("\n{kid_a}\n")),
            ("display_name", ""),
        ],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let peer_path = location(&added);
    assert!(
        peer_path.starts_with("/admin/peers/") && peer_path.ends_with("?done=added"),
        "{peer_path}"
    );
    let peer_path = peer_path.trim_end_matches("?done=added").to_owned();
    let peer_url = format!("{base}{peer_path}");
    let first = get(
        &http,
        &format!("{base}{}", location(&added)),
        &[("cookie", &ana)],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(
        first
            .body
            .contains("The peer is added: its keys and feed are being read."),
        "{}",
        first.body
    );
    let read = page_until(&http, &peer_url, &ana, "A's key trusted and read", |body| {
        body.contains(&format!(
            "<code>{kid_a}</code> <span class=\"tag\">pinned</span>"
        )) && !body.contains("<dt>Last read in full (UTC)</dt><dd>Not yet")
    })
    .await;
    assert!(
        read.body.contains(&format!("<dd>{base_a}</dd>")),
        "{}",
        read.body
    );
    assert!(read.body.contains("No entry of its feed has been refused."));
    assert_eq!(peer_count().await, 1);

    // The same feed again: refused beside the address.
    let twice = post(
        &http,
        &peers_url,
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", &feed_a),
            ("pinned_keys", &kid_a),
        ],
    )
    .await;
    assert_eq!(twice.status, 400, "{}", twice.body);
    assert!(
        twice
            .body
            .contains("This platform already trusts a peer with this feed address"),
        "{}",
        twice.body
    );
    assert_eq!(peer_count().await, 1);

    // A peer no one answers for: its page says why it could not be read.
    let nowhere = format!(
        "http://127.0.0.1:{}/v1/federation/feed",
        common::free_port()
    );
    let down = post(
        &http,
        &peers_url,
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", &nowhere),
            ("pinned_keys", &kid_a),
            ("display_name", "Nowhere"),
        ],
    )
    .await;
    assert_eq!(down.status, 303, "{}", down.body);
    let down_url = format!("{base}{}", location(&down).trim_end_matches("?done=added"));
    page_until(
        &http,
        &down_url,
        &ana,
        "the unreachable peer's error",
        |body| body.contains("<dd id=\"last-error\"><span lang=\"en\">"),
    )
    .await;
    let list = get(&http, &peers_url, &[("cookie", &ana)]).await;
    assert!(list.body.contains(">Nowhere</a>"), "{}", list.body);
    assert!(list.body.contains(&nowhere), "{}", list.body);

    // Paused, then resumed and read now, each with a plain form post.
    let csrf = hidden(&read.body, "csrf");
    let paused = post(
        &http,
        &format!("{peer_url}/paused"),
        &[("cookie", &ana)],
        &[("csrf", &csrf), ("paused", "yes")],
    )
    .await;
    assert_eq!(paused.status, 303, "{}", paused.body);
    assert_eq!(location(&paused), format!("{peer_path}?done=paused"));
    let page = get(
        &http,
        &format!("{base}{}", location(&paused)),
        &[("cookie", &ana)],
    )
    .await;
    assert!(page.body.contains("The peer is paused"), "{}", page.body);
    assert!(page.body.contains("<dd><strong>Paused</strong></dd>"));
    assert!(!page.body.contains(&format!("action=\"{peer_path}/sync\"")));
    let list = get(&http, &peers_url, &[("cookie", &ana)]).await;
    assert!(
        list.body.contains("<strong>Paused</strong>"),
        "{}",
        list.body
    );
    let resumed = post(
        &http,
        &format!("{peer_url}/paused"),
        &[("cookie", &ana)],
        &[("csrf", &csrf), ("paused", "no")],
    )
    .await;
    assert_eq!(location(&resumed), format!("{peer_path}?done=resumed"));
    let synced = post(
        &http,
        &format!("{peer_url}/sync"),
        &[("cookie", &ana)],
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(synced.status, 303, "{}", synced.body);
    assert_eq!(location(&synced), format!("{peer_path}?done=synced"));
    let page = get(
        &http,
        &format!("{base}{}", location(&synced)),
        &[("cookie", &ana)],
    )
    .await;
    assert!(
        page.body.contains("The peer&#39;s feed is being read now."),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd>Active</dd>"));

    // Renamed; a bad key id in the change comes back beside its input.
    let renamed = post(
        &http,
        &format!("{peer_url}/edit"),
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", &feed_a),
            ("pinned_keys", &kid_a),
            ("display_name", "Deployment A"),
        ],
    )
    .await;
    assert_eq!(location(&renamed), format!("{peer_path}?done=saved"));
    let list = get(&http, &peers_url, &[("cookie", &ana)]).await;
    assert!(
        list.body
            .contains(&format!("<a href=\"{peer_path}\">Deployment A</a>")),
        "{}",
        list.body
    );
    let refused_edit = post(
        &http,
        &format!("{peer_url}/edit"),
        &[("cookie", &ana)],
        &[
            ("csrf", &csrf),
            ("feed_url", &feed_a),
            ("pinned_keys", ""),
            ("display_name", "Deployment A"),
        ],
    )
    .await;
    assert_eq!(refused_edit.status, 400, "{}", refused_edit.body);
    assert!(refused_edit.body.contains("id=\"pinned-keys-error\""));
    assert!(
        refused_edit
            .body
            .contains("at least one key id is required")
    );

    // Someone else may not pause it, nor see it; unknown peers are 404.
    let ben_csrf = hidden(&refused.body, "csrf");
    let not_theirs = post(
        &http,
        &format!("{peer_url}/paused"),
        &[("cookie", &ben)],
        &[("csrf", &ben_csrf), ("paused", "yes")],
    )
    .await;
    assert_eq!(not_theirs.status, 403, "{}", not_theirs.body);
    assert_eq!(get(&http, &peer_url, &[("cookie", &ben)]).await.status, 403);
    for unknown in [
        "/admin/peers/0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5b",
        "/admin/peers/not-a-peer",
    ] {
        let page = get(&http, &format!("{base}{unknown}"), &[("cookie", &ana)]).await;
        assert_eq!(page.status, 404, "{unknown}: {}", page.body);
    }
    let still = get(&http, &peer_url, &[("cookie", &ana)]).await;
    assert!(still.body.contains("<dd>Active</dd>"), "{}", still.body);
}

/// Signs `subject` in through the dev sign-in page as a platform
/// administrator (so a catalogue editor); the session cookie.
async fn sign_in_admin(http: &reqwest::Client, base: &str, subject: &str) -> String {
    let form = get(http, &format!("{base}/sign-in"), &[]).await;
    let anonymous = cookie_pair(&form.headers);
    let csrf = hidden(&form.body, "csrf");
    let signed = post(
        http,
        &format!("{base}/sign-in"),
        &[("cookie", &anonymous)],
        &[
            ("csrf", &csrf),
            ("subject", subject),
            ("name", subject),
            ("admin", "yes"),
        ],
    )
    .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    cookie_pair(&signed.headers)
}

/// Repeats `GET path` on `api` until `check` holds of the answer.
async fn api_until(
    api: &common::Api,
    path: &str,
    what: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, value) = api.call(reqwest::Method::GET, path, None).await;
        if status == 200 && check(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: {status} {value}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// `value` as one component of a query string.
fn query_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn federation_shows_on_the_pages_shared_from_one_deployment_mirrored_and_adopted_in_another()
{
    use reqwest::Method as M;
    use serde_json::json;
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("data dir"),
        tempfile::tempdir().expect("data dir"),
    );
    let (data_a, data_b) = (dir_a.path().join("data"), dir_b.path().join("data"));
    let (_a, base_a) = serve_up(
        &data_a,
        &[(
            "INTERLINK__GATEWAY__WEB__SITE_NAME",
            "Zaragoza Participa".into(),
        )],
    )
    .await;
    let (_b, base_b) = serve_up(
        &data_b,
        &[
            ("INTERLINK__FEDERATION__ALLOW_HTTP", "true".into()),
            ("INTERLINK__FEDERATION__SYNC_INTERVAL_SECS", "1".into()),
        ],
    )
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let en = ("accept-language", "en");
    let a = common::Api {
        http: http.clone(),
        base: base_a.clone(),
        token: common::mint(&data_a, "fed-admin", true),
    };
    let b = common::Api {
        http: http.clone(),
        base: base_b.clone(),
        token: common::mint(&data_b, "editor-b", true),
    };

    // In A: a published interlinker, the default schema and a story, each
    // shared with the switch on its page by an editor (the story's by its
    // process's administrator).
    let created = a
        .ok(
            M::POST,
            "/v1/interlinkers",
            Some(json!({
                "nature": "NATURE_EXTERNAL_KNOWLEDGE",
                "title": {"values": {"en": "Participatory budgeting guide"}},
                "description": {"values": {"en": "How to run participatory budgeting"}},
                "languages": ["en"],
                "licence": "LICENCE_PERMISSIVE",
                "difficulty": "DIFFICULTY_EASY",
                "problemProfiles": ["org-01"],
                "targets": ["all/pas/public_servants"],
                "external": {"uri": "https://guides.example.org/pb"},
            })),
        )
        .await;
    let original = created["name"].as_str().expect("name").to_owned();
    let original_page = format!(
        "{base_a}/catalogue/{}",
        original.trim_start_matches("interlinkers/")
    );
    let made = common::public_process_with_story(&a).await;
    let story_a = format!(
        "{base_a}/stories/{}",
        made.story.trim_start_matches("stories/")
    );
    let editor_a = sign_in_admin(&http, &base_a, "fed-admin").await;
    let draft = get(&http, &original_page, &[en, ("cookie", &editor_a)]).await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    assert!(
        draft
            .body
            .contains("This entry is not shared with other deployments.")
            && draft
                .body
                .contains("Only published entries go out to other deployments"),
        "{}",
        draft.body
    );
    let csrf = hidden(&draft.body, "csrf");
    let marked = post(
        &http,
        &format!("{original_page}/sharing"),
        &[("cookie", &editor_a)],
        &[("csrf", &csrf), ("shared", "yes")],
    )
    .await;
    assert_eq!(marked.status, 303, "{}", marked.body);
    assert!(location(&marked).ends_with("?shared=yes"));
    let draft = get(
        &http,
        &format!("{base_a}{}", location(&marked)),
        &[en, ("cookie", &editor_a)],
    )
    .await;
    assert!(
        draft
            .body
            .contains("The entry is now shared with other deployments.")
            && draft
                .body
                .contains("it goes out to other deployments once it is published")
            && draft.body.contains(">Stop sharing</button>"),
        "{}",
        draft.body
    );
    a.ok(M::POST, &format!("/v1/{original}:publish"), Some(json!({})))
        .await;
    // A visitor sees no switch; a value other than yes or no is refused.
    let anonymous = get(&http, &original_page, &[en]).await;
    assert!(!anonymous.body.contains("/sharing"), "{}", anonymous.body);
    let refused = post(
        &http,
        &format!("{original_page}/sharing"),
        &[("cookie", &editor_a)],
        &[("csrf", &csrf), ("shared", "maybe")],
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    for (page, words) in [
        (
            format!("{base_a}/schemas/default"),
            "The schema is now shared with other deployments.",
        ),
        (
            story_a.clone(),
            "The story is now shared with other deployments.",
        ),
    ] {
        let before = get(&http, &page, &[en, ("cookie", &editor_a)]).await;
        assert!(
            before
                .body
                .contains(">Share with other deployments</button>"),
            "{}",
            before.body
        );
        let shared = post(
            &http,
            &format!(
                "{base_a}{}",
                form_action(
                    &before.body,
                    &format!("{}/sharing", page.trim_start_matches(&base_a)),
                )
            ),
            &[("cookie", &editor_a)],
            &[("csrf", &hidden(&before.body, "csrf")), ("shared", "yes")],
        )
        .await;
        assert_eq!(shared.status, 303, "{page}: {}", shared.body);
        let after = get(
            &http,
            &format!("{base_a}{}", location(&shared)),
            &[en, ("cookie", &editor_a)],
        )
        .await;
        assert!(after.body.contains(words), "{}", after.body);
    }
    // Without a peer, A's catalogue and stories offer no origin filter.
    let catalogue_a = get(&http, &format!("{base_a}/catalogue"), &[en]).await;
    assert!(!catalogue_a.body.contains("name=\"origin\""));
    let stories_a = get(&http, &format!("{base_a}/stories"), &[en]).await;
    assert!(!stories_a.body.contains("name=\"origin\""));

    // B trusts A and mirrors the three.
    let keys: serde_json::Value = http
        .get(format!("{base_a}/.well-known/interlink-federation"))
        .send()
        .await
        .expect("keys")
        .json()
        .await
        .expect("json");
    let kid = keys["keys"][0]["kid"].as_str().expect("kid").to_owned();
    b.ok(
        M::POST,
        "/v1/peers",
        Some(json!({"feedUrl": format!("{base_a}/v1/federation/feed"), "pinnedKeys": [kid]})),
    )
    .await;
    let origin_a = query_component(&base_a);
    let found = api_until(
        &b,
        &format!("/v1/interlinkers:search?origins={origin_a}"),
        "the interlinker mirror",
        |v| v["results"].as_array().is_some_and(|r| r.len() == 1),
    )
    .await;
    let mirror = found["results"][0]["interlinker"]["name"]
        .as_str()
        .expect("mirror")
        .to_owned();
    let stories = api_until(
        &b,
        &format!("/v1/stories?origins={origin_a}"),
        "the story mirror",
        |v| v["stories"].as_array().is_some_and(|s| s.len() == 1),
    )
    .await;
    let mirror_story = stories["stories"][0]["name"]
        .as_str()
        .expect("story")
        .to_owned();
    let schemas = api_until(&b, "/v1/schemas", "the schema mirror", |v| {
        v["schemas"].as_array().is_some_and(|s| {
            s.iter()
                .any(|s| s["origin"]["deployment"] == base_a.as_str())
        })
    })
    .await;
    let mirror_schema = schemas["schemas"]
        .as_array()
        .expect("schemas")
        .iter()
        .find(|s| s["origin"]["deployment"] == base_a.as_str())
        .and_then(|s| s["name"].as_str())
        .expect("the schema mirror")
        .to_owned();

    // B's catalogue marks the mirror and filters by origin, with counts.
    let searched = get(
        &http,
        &format!("{base_b}/catalogue?q=participatory+budgeting"),
        &[en],
    )
    .await;
    assert!(
        searched
            .body
            .contains("<span class=\"tag origin\">From Zaragoza Participa</span>"),
        "{}",
        searched.body
    );
    // Every entry counted by where it comes from, each deployment named.
    let all = get(&http, &format!("{base_b}/catalogue"), &[en]).await;
    assert!(
        all.body.contains(&format!(
            "name=\"origin\" value=\"{base_a}\"><label for=\"origin-2\">Zaragoza Participa (1)</label>"
        )) && all
            .body
            .contains("name=\"origin\" value=\"local\"><label for=\"origin-1\">This deployment ("),
        "{}",
        all.body
    );
    let from_a = get(
        &http,
        &format!("{base_b}/catalogue?origin={origin_a}"),
        &[en],
    )
    .await;
    assert!(from_a.body.contains("1 interlinker"), "{}", from_a.body);
    assert!(from_a.body.contains("Participatory budgeting guide"));
    assert!(
        from_a
            .body
            .contains(&format!("value=\"{base_a}\" checked>"))
    );
    let local = get(
        &http,
        &format!("{base_b}/catalogue?origin=local&q=participatory+budgeting"),
        &[en],
    )
    .await;
    assert!(
        !local.body.contains("From Zaragoza Participa"),
        "{}",
        local.body
    );
    let too_long = get(
        &http,
        &format!("{base_b}/catalogue?origin={}", "a".repeat(2001)),
        &[en],
    )
    .await;
    assert_eq!(too_long.status, 400);

    // The mirror's page says where it is from, with its signature and the
    // keys to check it; a visitor may not adopt it.
    let mirror_page = format!(
        "{base_b}/catalogue/{}",
        mirror.trim_start_matches("interlinkers/")
    );
    let shown = get(&http, &mirror_page, &[en]).await;
    assert_eq!(shown.status, 200);
    for expected in [
        "<h2 id=\"origin-title\">Shared by Zaragoza Participa</h2>".to_owned(),
        format!(
            "<a href=\"{base_a}/\" rel=\"external noopener noreferrer\">Zaragoza Participa</a>"
        ),
        format!(
            "<a href=\"{original_page}\" rel=\"external noopener noreferrer\">{original}</a> · version 1"
        ),
        format!(
            "<a href=\"{base_a}/.well-known/interlink-federation\" rel=\"external noopener noreferrer\">the keys Zaragoza Participa publishes</a>"
        ),
        "aria-label=\"Signature (a JWS), to copy\">ey".to_owned(),
    ] {
        assert!(shown.body.contains(&expected), "{expected}: {}", shown.body);
    }
    assert!(!shown.body.contains("/adopt"));
    // An editor of B adopts it: the new draft, which says where it came
    // from and can be shared in turn.
    let editor_b = sign_in_admin(&http, &base_b, "web-editor").await;
    let shown = get(&http, &mirror_page, &[en, ("cookie", &editor_b)]).await;
    assert!(
        shown.body.contains(">Adopt into this catalogue</button>")
            && !shown.body.contains("/sharing"),
        "{}",
        shown.body
    );
    let adopted = post(
        &http,
        &format!("{mirror_page}/adopt"),
        &[("cookie", &editor_b)],
        &[("csrf", &hidden(&shown.body, "csrf"))],
    )
    .await;
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    let copy_path = location(&adopted);
    assert!(
        copy_path.ends_with("?adopted=1")
            && !copy_path.contains(mirror.trim_start_matches("interlinkers/"))
    );
    let copy_path = copy_path.trim_end_matches("?adopted=1").to_owned();
    let copy = get(
        &http,
        &format!("{base_b}{copy_path}?adopted=1"),
        &[en, ("cookie", &editor_b)],
    )
    .await;
    assert!(
        copy.body.contains("This is the adopted copy")
            && copy.body.contains("Adopted from Zaragoza Participa.")
            && copy.body.contains(">Share with other deployments</button>")
            && copy.body.contains("This interlinker is a draft"),
        "{}",
        copy.body
    );
    // A local entry is not adopted: the catalogue's refusal is a page.
    let not_a_mirror = post(
        &http,
        &format!("{base_b}{copy_path}/adopt"),
        &[("cookie", &editor_b)],
        &[("csrf", &hidden(&copy.body, "csrf"))],
    )
    .await;
    assert_eq!(not_a_mirror.status, 409, "{}", not_a_mirror.body);

    // B's schemas: the mirror marked, its page saying where it is from,
    // without the switch; B's own schema with it.
    let schemas_b = get(&http, &format!("{base_b}/schemas"), &[en]).await;
    assert!(
        schemas_b.body.contains("From Zaragoza Participa"),
        "{}",
        schemas_b.body
    );
    let schema_page = format!(
        "{base_b}/schemas/{}",
        mirror_schema.trim_start_matches("schemas/")
    );
    let schema = get(&http, &schema_page, &[en, ("cookie", &editor_b)]).await;
    assert_eq!(schema.status, 200, "{}", schema.body);
    assert!(
        schema.body.contains("Shared by Zaragoza Participa")
            && schema.body.contains(&format!("{base_a}/schemas/default"))
            && !schema.body.contains("/sharing"),
        "{}",
        schema.body
    );
    let own = get(
        &http,
        &format!("{base_b}/schemas/default"),
        &[en, ("cookie", &editor_b)],
    )
    .await;
    assert!(
        own.body
            .contains("This schema is not shared with other deployments.")
    );

    // B's stories: the mirror marked and filtered by origin.
    let stories_b = get(&http, &format!("{base_b}/stories"), &[en]).await;
    assert!(
        stories_b
            .body
            .contains("<span class=\"tag origin\">From Zaragoza Participa</span>")
            && stories_b
                .body
                .contains("<label for=\"origin-1\">All deployments</label>")
            && stories_b
                .body
                .contains("<label for=\"origin-2\">This deployment</label>")
            && stories_b.body.contains(&format!(
                "value=\"{base_a}\"><label for=\"origin-3\">Zaragoza Participa</label>"
            )),
        "{}",
        stories_b.body
    );
    let local_stories = get(&http, &format!("{base_b}/stories?origin=local"), &[en]).await;
    assert!(
        local_stories
            .body
            .contains("No story you may see comes from there.")
            && local_stories.body.contains("value=\"local\" checked>"),
        "{}",
        local_stories.body
    );
    let from_a = get(&http, &format!("{base_b}/stories?origin={origin_a}"), &[en]).await;
    assert!(
        from_a.body.contains("Mil viajes en bicicleta"),
        "{}",
        from_a.body
    );

    // The mirrored story: where it is from, no author, no rating; a
    // visitor is asked to sign in to adopt it.
    let story_page = format!(
        "{base_b}/stories/{}",
        mirror_story.trim_start_matches("stories/")
    );
    let story = get(&http, &story_page, &[en]).await;
    assert_eq!(story.status, 200, "{}", story.body);
    assert!(
        story.body.contains("Shared by Zaragoza Participa")
            && story.body.contains(&format!("<a href=\"{story_a}\""))
            && !story.body.contains("By someone")
            && story
                .body
                .contains("Sign in to adopt this story as a new process"),
        "{}",
        story.body
    );
    // Someone of an organisation of B adopts it: a process of theirs that
    // says where it came from. Without a choice, the mistake is named at
    // the organisation.
    let citizen = common::Api {
        http: http.clone(),
        base: base_b.clone(),
        token: common::mint(&data_b, "adopter", false),
    };
    let organization = citizen
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Riga City Council"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
            })),
        )
        .await["name"]
        .as_str()
        .expect("organisation")
        .trim_start_matches("organizations/")
        .to_owned();
    let adopter = sign_in(&http, &base_b, "adopter", "Ilze").await;
    let story = get(&http, &story_page, &[en, ("cookie", &adopter)]).await;
    assert!(
        story.body.contains(">Adopt as a new process</button>")
            && story
                .body
                .contains(&format!("<option value=\"{organization}\""))
            && !story.body.contains("/rating\"")
            && !story.body.contains("/sharing"),
        "{}",
        story.body
    );
    let csrf = hidden(&story.body, "csrf");
    let mistaken = post(
        &http,
        &format!("{story_page}/adopt"),
        &[("cookie", &adopter)],
        &[("csrf", &csrf), ("organization", "")],
    )
    .await;
    assert_eq!(mistaken.status, 400, "{}", mistaken.body);
    assert!(
        mistaken
            .body
            .contains("<a href=\"#adopt-organization\">Choose one of your organisations</a>")
            && mistaken.body.contains("id=\"adopt-organization-error\""),
        "{}",
        mistaken.body
    );
    // Co-production learns of the membership a moment after it is made.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let adopted = loop {
        let page = post(
            &http,
            &format!("{story_page}/adopt"),
            &[("cookie", &adopter)],
            &[("csrf", &csrf), ("organization", &organization)],
        )
        .await;
        if page.status == 303 || std::time::Instant::now() > deadline {
            break page;
        }
        assert!(
            page.body.contains("Choose an organisation you belong to"),
            "{}",
            page.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    let process = location(&adopted);
    assert!(process.starts_with("/processes/") && process.ends_with("?adopted=1"));
    let process = get(
        &http,
        &format!("{base_b}{process}"),
        &[en, ("cookie", &adopter)],
    )
    .await;
    assert!(
        process
            .body
            .contains("adopted from a story another deployment shares")
            && process
                .body
                .contains("Adopted from a story shared by Zaragoza Participa.")
            && process.body.contains(&format!(
                "<a href=\"/stories/{}\">Read the story</a>",
                mirror_story.trim_start_matches("stories/")
            )),
        "{}",
        process.body
    );
    // A process built from the mirrored schema says so too.
    let built = citizen
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({"title": "Shared bikes", "language": "en", "organization": format!("organizations/{organization}")})),
        )
        .await["name"]
        .as_str()
        .expect("process")
        .to_owned();
    citizen
        .ok(
            M::POST,
            &format!("/v1/{built}:buildFromSchema"),
            Some(json!({"schema": mirror_schema})),
        )
        .await;
    let built = get(
        &http,
        &format!(
            "{base_b}/processes/{}",
            built.trim_start_matches("processes/")
        ),
        &[en, ("cookie", &adopter)],
    )
    .await;
    assert!(
        built
            .body
            .contains("Built from a schema shared by Zaragoza Participa.")
            && built.body.contains(&format!(
                "<a href=\"/schemas/{}\">See the schema</a>",
                mirror_schema.trim_start_matches("schemas/")
            )),
        "{}",
        built.body
    );

    // A stops sharing the story on its page: B keeps it, marked withdrawn,
    // no longer to adopt.
    let story = get(&http, &story_a, &[en, ("cookie", &editor_a)]).await;
    assert!(
        story.body.contains(">Stop sharing</button>"),
        "{}",
        story.body
    );
    let stopped = post(
        &http,
        &format!("{story_a}/sharing"),
        &[("cookie", &editor_a)],
        &[("csrf", &hidden(&story.body, "csrf")), ("shared", "no")],
    )
    .await;
    assert_eq!(stopped.status, 303, "{}", stopped.body);
    api_until(&b, &format!("/v1/{mirror_story}"), "the withdrawal", |v| {
        v["withdrawn"] == true
    })
    .await;
    let story = get(&http, &story_page, &[en, ("cookie", &adopter)]).await;
    assert!(
        story
            .body
            .contains("Zaragoza Participa no longer shares this story")
            && !story.body.contains("/adopt\""),
        "{}",
        story.body
    );
    let stories_b = get(&http, &format!("{base_b}/stories"), &[en]).await;
    assert!(
        stories_b
            .body
            .contains("<span class=\"tag withdrawn\">No longer shared</span>"),
        "{}",
        stories_b.body
    );
}
