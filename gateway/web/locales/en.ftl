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
