//! A light Latvian stemmer (tantivy has none): strips the commonest noun and
//! adjective case endings, after the approach of Savoy's light stemmers.
//! It runs after ASCII folding, so endings are written without diacritics
//! and `aptauja`, `aptaujas` and `aptaujām` meet at one stem.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Endings, longest first; a stem keeps at least [`MIN_STEM`] characters.
const ENDINGS: &[&str] = &[
    "ajiem", "ajai", "ajam", "ajos", "ajas", "iem", "aja", "ais", "ai", "ei", "am", "em", "im",
    "um", "us", "as", "es", "os", "ij", "is", "ie", "u", "a", "i", "e", "o", "s",
];

const MIN_STEM: usize = 3;

/// The stem of a lower-case, ASCII-folded Latvian word.
pub fn stem(word: &str) -> &str {
    for ending in ENDINGS {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.chars().count() >= MIN_STEM
        {
            return stem;
        }
    }
    word
}

/// The token filter applying [`stem`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LatvianStemmer;

impl TokenFilter for LatvianStemmer {
    type Tokenizer<T: Tokenizer> = LatvianStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LatvianStemmerFilter<T> {
        LatvianStemmerFilter { inner: tokenizer }
    }
}

/// [`LatvianStemmer`] around a tokenizer.
#[derive(Debug, Clone)]
pub struct LatvianStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for LatvianStemmerFilter<T> {
    type TokenStream<'a> = LatvianStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LatvianStemmerStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The stream of [`LatvianStemmerFilter`].
#[derive(Debug)]
pub struct LatvianStemmerStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for LatvianStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let len = stem(&token.text).len();
        token.text.truncate(len);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_forms_meet() {
        // aptauja (survey): nominative, genitive, dative plural (folded).
        assert_eq!(stem("aptauja"), stem("aptaujas"));
        assert_eq!(stem("aptaujas"), stem("aptaujam"));
        // pakalpojums (service): nominative, genitive plural, locative.
        assert_eq!(stem("pakalpojums"), stem("pakalpojumi"));
        assert_eq!(stem("pakalpojumi"), stem("pakalpojuma"));
        // Short words keep their letters.
        assert_eq!(stem("ir"), "ir");
        assert_eq!(stem("rika"), "rik");
    }
}
