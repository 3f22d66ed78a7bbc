"""Product images: uploaded to Shopify's staged storage, set as the product's files, not sent again unchanged."""

import base64
import hashlib

from odoo.tests import tagged

from . import test_catalogue_publish as single

# Two 1x1 PNG images (a red and a blue pixel).
RED = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
BLUE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC")


@tagged("post_install", "-at_install")
class TestCatalogueImages(single.CatalogueCase):
    def _staged_uploads(self):
        return len(self.simulator.calls_named("StageImage"))

    def _media(self, name):
        (product,) = self._products_titled(name)
        return product.get("media") or []

    def test_image_uploaded_once_and_again_when_it_changes(self):
        template = self._template(name="Pictured Shirt", image_1920=base64.b64encode(RED))
        before = self._staged_uploads()
        self._publish(template)
        self.assertEqual(self.sync_job("product_push", template.id).outcome, "created")
        media = self._media("Pictured Shirt")
        self.assertEqual(len(media), 1)
        self.assertEqual(media[0]["sha256"], hashlib.sha256(RED).hexdigest(), "Shopify has the bytes Odoo uploaded")
        self.assertEqual(media[0]["media_content_type"], "IMAGE")
        binding = template.shopify_binding_ids
        self.assertEqual(binding.image_hash, hashlib.sha256(RED).hexdigest())
        self.assertEqual(self._staged_uploads() - before, 1)
        # Images and titles Odoo-owned: a title change is pushed, the unchanged image is not uploaded again.
        self.shop.write({"catalogue_images_owner": "odoo", "catalogue_title_owner": "odoo"})
        template.name = "Pictured Shirt v2"
        self.shop._schedule_product_push(template, eta=0)
        self.perform_jobs()
        self.assertEqual(self.sync_job("product_push", template.id).outcome, "updated")
        self.assertEqual(self._staged_uploads() - before, 1, "an unchanged image is not uploaded again")
        self.assertEqual(len(self._media("Pictured Shirt v2")), 1)
        # A new image: uploaded, and it replaces the old one.
        template.image_1920 = base64.b64encode(BLUE)
        self.perform_jobs()
        self.assertEqual(self._staged_uploads() - before, 2)
        media = self._media("Pictured Shirt v2")
        self.assertEqual([m["sha256"] for m in media], [hashlib.sha256(BLUE).hexdigest()])
        self.assertEqual(binding.image_hash, hashlib.sha256(BLUE).hexdigest())

    def test_shopify_owned_images_are_not_pushed(self):
        template = self._template(name="Plain Shirt")
        self._publish(template)
        before = self._staged_uploads()
        self.shop.catalogue_title_owner = "odoo"
        template.image_1920 = base64.b64encode(RED)
        template.name = "Plain Shirt v2"
        self.shop._schedule_product_push(template, eta=0)
        self.perform_jobs()
        self.assertEqual(self.sync_job("product_push", template.id).outcome, "updated")
        self.assertEqual(self._staged_uploads(), before, "images are Shopify's here: never uploaded")
        self.assertFalse(self._media("Plain Shirt v2"))
