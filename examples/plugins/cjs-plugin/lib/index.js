'use strict';
exports.reverse = { order: 5, format: (text) => [...text].reverse().join('') };
