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
bad-request-text = Lo enviado no es un formulario que esta página pueda leer. Vuelva atrás e inténtelo de nuevo.
sign-in = Iniciar sesión
sign-out = Cerrar sesión
signed-in-as = Sesión iniciada como { $name }
account-label = Su cuenta
session-ended = Su sesión ha terminado. Inicie sesión de nuevo para continuar.
sign-in-title = Iniciar sesión
dev-sign-in-lead = Esta es una instalación de prueba: inicie sesión como cualquier persona escribiendo un identificador de usuario. La instalación de una administración pública identifica a las personas con sus propias cuentas.
sign-in-subject = Identificador de usuario
sign-in-subject-hint = Hasta 64 letras, cifras y . _ @ - (la misma persona que «interlink token --sub»).
sign-in-name = Su nombre (opcional)
sign-in-name-hint = Tal como lo verán los demás. Si lo deja vacío, se mostrará su identificador.
sign-in-admin = Iniciar sesión como administrador de la plataforma
sign-in-button = Iniciar sesión
sign-in-subject-missing = Escriba un identificador de usuario
sign-in-subject-invalid = Use hasta 64 letras, cifras y . _ @ - en el identificador
sign-in-name-invalid = Use hasta 100 caracteres en una sola línea para su nombre
error-summary-title = Hay un problema
error-prefix = Error
form-refused-title = No se ha podido aceptar este formulario
form-refused-text = Llegó desde otro sitio, o su página estuvo abierta tanto tiempo que la sesión terminó. Vuelva atrás, recargue la página e inténtelo de nuevo.
breadcrumb-label = Está aquí
section-description = Qué es
section-instructions = Cómo usarlo
section-constraints = Restricciones y limitaciones
section-regulations = Normativa y estándares
facts-languages = Idiomas
facts-problem-profiles = Perfiles de problema
open-external = Abrirlo en su propio sitio
genesis-title = Plantillas
genesis-text = El documento de partida, en cada idioma en que está escrito:
state-draft = Este interlinker es un borrador: solo lo ven los editores del catálogo.
state-deprecated = Este interlinker está obsoleto: se mantiene para los procesos que lo usan, pero no debería elegirse para otros nuevos.
rating-summary = { $count ->
    [0] Aún sin valoraciones
    [one] Valorado con { $average } de 5 por una persona
   *[other] Valorado con { $average } de 5 por { $shown } personas
}
rating-stars = { $value ->
    [one] 1 estrella de 5
   *[other] { $value } estrellas de 5
}
ratings-title = Valoraciones
no-ratings = Nadie ha valorado aún este interlinker.
someone = Alguien
rate-heading = Valore este interlinker
rate-replaces = Ya lo valoró: al guardar se sustituye su valoración.
rate-value = Su valoración
rate-title-label = Título (opcional)
rate-title-hint = Hasta 200 caracteres, en una sola línea.
rate-text-label = Su opinión (opcional)
rate-text-hint = Hasta 5000 caracteres: qué funcionó y para qué.
rate-button = Guardar mi valoración
rate-sign-in = Inicie sesión para valorar este interlinker
rate-saved = Gracias: su valoración se ha guardado.
rate-value-invalid = Elija de 1 a 5 estrellas
rate-title-invalid = Use hasta 200 caracteres en una sola línea para el título
rate-text-invalid = Use hasta 5000 caracteres para la opinión
rate-unpublished-title = Solo se pueden valorar interlinkers publicados
rate-unpublished-text = Este interlinker es un borrador o está obsoleto, así que ahora no admite valoraciones.
sign-in-needed-title = Inicie sesión de nuevo
sign-in-needed-text = Su sesión terminó antes de enviar el formulario. Inicie sesión y vuelva a enviarlo.
related-title = Interlinkers relacionados
