skip-to-content = Skip to main content
nav-label = Main menu
nav-home = Home
nav-catalogue = Catalogue
languages-label = Language
home-title = Co-produce public services together
home-lead = Public administrations, organisations and citizens design and run public services together here, with a catalogue of tools and guides that worked elsewhere.
home-catalogue-title = The catalogue
home-catalogue-text = Find tools, guides and methods — interlinkers — for each step of a co-production process.
home-catalogue-link = Browse the catalogue
catalogue-title = Catalogue
catalogue-lead = Tools, guides and methods for co-producing public services.
search-label = Search the catalogue
search-button = Search
results-count = { $count ->
    [0] No interlinkers found
    [one] { $shown } interlinker found
   *[other] { $shown } interlinkers found
}
results-hint = Try other words, or clear the search to see everything.
next-page = Next page
nature-software = Software
nature-knowledge = Knowledge
nature-external-software = External software
nature-external-knowledge = External knowledge
in-language = in { $language }
not-found-title = Page not found
not-found-text = There is no page at this address. Check it, or start again from the home page.
unavailable-title = Sorry, this page is not available now
unavailable-text = A part of the platform did not answer. Try again in a few minutes.
bad-request-title = The request could not be read
footer-text = { $site } runs Interlink, free software for the co-production of public services.
bad-request-text = What was sent is not a form this page can read. Go back and try again.
sign-in = Sign in
sign-out = Sign out
signed-in-as = Signed in as { $name }
account-label = Your account
session-ended = Your session has ended. Sign in again to go on.
sign-in-title = Sign in
dev-sign-in-lead = This is a trial deployment: sign in as anyone by typing a user id. A public administration's deployment signs people in with its own accounts instead.
sign-in-subject = User id
sign-in-subject-hint = Up to 64 letters, digits and . _ @ - (the same person as “interlink token --sub”).
sign-in-name = Your name (optional)
sign-in-name-hint = As others will see it. Left empty, your user id is shown.
sign-in-admin = Sign in as a platform administrator
sign-in-button = Sign in
sign-in-subject-missing = Enter a user id
sign-in-subject-invalid = Use up to 64 letters, digits and . _ @ - in the user id
sign-in-name-invalid = Use up to 100 characters on one line for your name
error-summary-title = There is a problem
error-prefix = Error
form-refused-title = This form could not be accepted
form-refused-text = It came from another site, or its page was open so long that the session ended. Go back, reload the page and try again.
breadcrumb-label = You are here
section-description = What it is
section-instructions = How to use it
section-constraints = Constraints and limitations
section-regulations = Regulations and standards
facts-languages = Languages
facts-problem-profiles = Problem profiles
open-external = Open it on its own site
genesis-title = Templates
genesis-text = The starting document, in each language it is written in:
state-draft = This interlinker is a draft: only the catalogue's editors see it.
state-deprecated = This interlinker is deprecated: it stays for the processes that use it, but should not be chosen for new ones.
rating-summary = { $count ->
    [0] Not rated yet
    [one] Rated { $average } out of 5 by one person
   *[other] Rated { $average } out of 5 by { $shown } people
}
rating-stars = { $value ->
    [one] 1 star out of 5
   *[other] { $value } stars out of 5
}
ratings-title = Ratings
no-ratings = Nobody has rated this interlinker yet.
someone = Someone
rate-heading = Rate this interlinker
rate-replaces = You rated it before: saving replaces your rating.
rate-value = Your rating
rate-title-label = Title (optional)
rate-title-hint = Up to 200 characters, on one line.
rate-text-label = Your review (optional)
rate-text-hint = Up to 5,000 characters: what worked, and for what.
rate-button = Save my rating
rate-sign-in = Sign in to rate this interlinker
rate-saved = Thank you: your rating is saved.
rate-value-invalid = Choose from 1 to 5 stars
rate-title-invalid = Use up to 200 characters on one line for the title
rate-text-invalid = Use up to 5,000 characters for the review
rate-unpublished-title = Only published interlinkers can be rated
rate-unpublished-text = This interlinker is a draft or deprecated, so it takes no ratings now.
sign-in-needed-title = Please sign in again
sign-in-needed-text = Your session ended before the form was sent. Sign in, then send it again.
related-title = Related interlinkers
