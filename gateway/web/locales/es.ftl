skip-to-content = Saltar al contenido principal
nav-label = Menú principal
nav-home = Inicio
nav-catalogue = Catálogo
languages-label = Idioma
home-title = Coproduzcamos juntos los servicios públicos
home-lead = Aquí administraciones públicas, organizaciones y ciudadanía diseñan y prestan juntos servicios públicos, con un catálogo de herramientas y guías que funcionaron en otros lugares.
home-catalogue-title = El catálogo
home-catalogue-text = Encuentra herramientas, guías y métodos —interlinkers— para cada paso de un proceso de coproducción.
home-catalogue-link = Explorar el catálogo
catalogue-title = Catálogo
catalogue-lead = Herramientas, guías y métodos para coproducir servicios públicos.
search-label = Buscar en el catálogo
search-button = Buscar
results-count = { $count ->
    [0] No se ha encontrado ningún interlinker
    [one] Se ha encontrado { $shown } interlinker
   *[other] Se han encontrado { $shown } interlinkers
}
results-hint = Prueba con otras palabras o borra la búsqueda para verlo todo.
next-page = Página siguiente
nature-software = Software
nature-knowledge = Conocimiento
nature-external-software = Software externo
nature-external-knowledge = Conocimiento externo
in-language = en { $language }
not-found-title = Página no encontrada
not-found-text = No hay ninguna página en esta dirección. Revísala o vuelve a empezar desde la página de inicio.
unavailable-title = Lo sentimos, esta página no está disponible ahora
unavailable-text = Una parte de la plataforma no ha respondido. Inténtalo de nuevo en unos minutos.
bad-request-title = No se ha podido leer la petición
footer-text = { $site } funciona con Interlink, software libre para la coproducción de servicios públicos.
